"""The recognition API: contributions (your own, or anyone's for managers), kudos (201, or 422
with the message and nothing recorded), a person's recognition explained, and the HR report
(202, its progress, its files when done); another workspace's ids are 404s."""

import csv
import io

import pytest

from rapport.core.models import Team
from rapport.recognition.models import Contribution, Kind, Kudos, Report
from rapport.recognition.selectors import quarter_of
from rapport.recognition.tests.factories import make_crew

pytestmark = pytest.mark.django_db

API = "/api/v1"
IMMEDIATE = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


@pytest.fixture
def crew(acme, owner, make_member):
    return make_crew(acme, owner, make_member)


@pytest.fixture
def as_(api_client, crew):
    clients = {}

    def client(name):
        if name not in clients:
            clients[name] = api_client(crew[name])
        return clients[name]

    return client


@pytest.fixture
def quarter():
    from django.utils import timezone

    return quarter_of(timezone.localdate())


def get(client, path, **query):
    return client.get(f"{API}{path}", query)


def post(client, path, body):
    return client.post(f"{API}{path}", body, content_type="application/json")


# Contributions --------------------------------------------------------------------------------


def test_a_member_lists_their_own_contributions_and_a_manager_anyones(crew, as_):
    mine = get(as_("ravi"), "/contributions")
    assert mine.status_code == 200, mine.content
    body = mine.json()
    assert body["count"] == Contribution.objects.filter(member=crew["ravi"]).count() > 0
    assert {c["member_id"] for c in body["items"]} == {crew["ravi"].pk}
    expert = [c for c in body["items"] if c["kind"] == "expert_answer"]
    assert expert[0]["label"] == Kind.EXPERT_ANSWER.label
    assert expert[0]["crossed"] is True
    assert expert[0]["colleague_id"] == crew["sam"].pk
    assert expert[0]["member"] == "Ravi Patel"

    everyone = get(as_("maya"), "/contributions").json()
    assert everyone["count"] == Contribution.objects.count()
    refused = get(as_("sam"), "/contributions", member_id=crew["ravi"].pk)
    assert refused.status_code == 403
    assert "their managers" in refused.json()["detail"]
    of_ravi = get(as_("maya"), "/contributions", member_id=crew["ravi"].pk, kind="kudos").json()
    assert [(c["kind"], c["colleague_id"]) for c in of_ravi["items"]] == [("kudos", crew["sam"].pk)]


def test_contribution_filters_are_checked(crew, as_, globex, make_member):
    stranger = make_member(globex)
    assert get(as_("maya"), "/contributions", member_id=stranger.pk).status_code == 404
    reversed_ = get(as_("maya"), "/contributions", since="2026-03-01", until="2026-01-01")
    assert reversed_.status_code == 400
    assert reversed_.json()["detail"] == "since: The period starts after it ends."
    assert get(as_("maya"), "/contributions", since="yesterday").status_code == 422
    assert get(as_("maya"), "/contributions", kind="bribes").status_code == 422
    assert get(as_("maya"), "/contributions", member_id=10**20).status_code == 422
    old = get(as_("maya"), "/contributions", since="2020-01-01", until="2020-03-31").json()
    assert old["count"] == 0


# Kudos ----------------------------------------------------------------------------------------


def test_kudos_are_given_and_the_colleague_credited(crew, as_):
    answer = post(
        as_("maya"),
        "/kudos",
        {
            "receiver_id": crew["sam"].pk,
            "about": "case",
            "object_id": crew["case"].pk,
            "message": "Thank you for keeping Dana posted",
        },
    )
    assert answer.status_code == 201, answer.content
    kudos = answer.json()
    assert (kudos["giver_id"], kudos["receiver_id"], kudos["receiver"]) == (
        crew["maya"].pk,
        crew["sam"].pk,
        "Sam Okafor",
    )
    assert Kudos.objects.filter(
        pk=kudos["id"], message="Thank you for keeping Dana posted"
    ).exists()
    assert Contribution.objects.filter(member=crew["sam"], kind=Kind.KUDOS).count() == 1


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"receiver_id": "self"}, "receiver_id", "not for yourself"),
        ({"receiver_id": "stranger"}, "receiver_id", "colleague in this workspace"),
        ({"receiver_id": 987654321}, "receiver_id", "colleague in this workspace"),
        ({"object_id": "other conversation"}, "object_id", "no such conversation"),
        ({"message": "   "}, "message", "Say what you are thanking them for"),
    ],
)
def test_bad_kudos_answer_422_with_the_message_and_record_nothing(
    crew, as_, globex, make_member, change, field, says
):
    from rapport.inbox.tests.factories import conversation

    body = {
        "receiver_id": crew["ravi"].pk,
        "about": "conversation",
        "object_id": crew["conv"].pk,
        "message": "Thanks!",
    }
    body.update(change)
    if body["receiver_id"] == "self":
        body["receiver_id"] = crew["sam"].pk
    if body["receiver_id"] == "stranger":
        body["receiver_id"] = make_member(globex).pk
    if body["object_id"] == "other conversation":
        body["object_id"] = conversation(globex).pk
    before = Kudos.objects.count(), Contribution.objects.count()
    answer = post(as_("sam"), "/kudos", body)
    assert answer.status_code == 422, answer.content
    assert says in answer.json()["detail"]
    assert says in " ".join(answer.json()["fields"][field])
    assert (Kudos.objects.count(), Contribution.objects.count()) == before


def test_kudos_about_something_else_or_too_long_are_refused_by_the_schema(crew, as_):
    body = {"receiver_id": crew["ravi"].pk, "object_id": crew["conv"].pk}
    assert post(as_("sam"), "/kudos", {**body, "about": "post", "message": "x"}).status_code == 422
    long = post(as_("sam"), "/kudos", {**body, "about": "case", "message": "x" * 1001})
    assert long.status_code == 422
    assert "message" in long.json()["detail"]


# A person's recognition -----------------------------------------------------------------------


def test_a_persons_recognition_is_explained_for_them_and_their_managers(crew, as_, quarter):
    path = f"/people/{crew['ravi'].pk}/recognition"
    own = get(as_("ravi"), path, since=str(quarter.since), until=str(quarter.until))
    assert own.status_code == 200, own.content
    body = own.json()
    assert body["name"] == "Ravi Patel"
    assert body["score"]["counts"]["expert_answer"] == 1
    assert "1 expert answer" in body["score"]["explained"]
    assert body["score"]["points"] == sum(k["points"] for k in body["kinds"])
    assert body["previous"] == {"points": 0, "explained": "nothing recorded", "counts": {}}
    assert body["crossed"] >= 2
    assert [c["name"] for c in body["customers"]] == ["Dana Scully"]
    assert [c["id"] for c in body["colleagues"]] == [crew["sam"].pk]
    assert [(k["giver"], k["message"]) for k in body["kudos"]] == [
        ("Sam Okafor", "Thanks for the Xero answer!")
    ]
    assert sum(sum(w["counts"].values()) for w in body["weeks"]) == sum(
        body["score"]["counts"].values()
    )
    assert get(as_("maya"), path).status_code == 200
    refused = get(as_("sam"), path)
    assert refused.status_code == 403


def test_another_workspaces_person_is_not_found(crew, as_, globex, make_member):
    stranger = make_member(globex)
    assert get(as_("maya"), f"/people/{stranger.pk}/recognition").status_code == 404


# The HR report --------------------------------------------------------------------------------


def test_a_manager_asks_for_the_report_follows_it_and_downloads_its_files(
    crew, as_, quarter, settings, tmp_path
):
    settings.VAR_DIR = tmp_path
    body = {"since": str(quarter.since), "until": str(quarter.until), "team_id": crew["rnd"].pk}
    queued = post(as_("maya"), "/reports/recognition", body)
    assert queued.status_code == 202, queued.content
    report = queued.json()
    assert (report["state"], report["team"], report["csv_url"]) == ("queued", "R&D", None)
    assert get(as_("maya"), f"/reports/{report['id']}/pdf").status_code == 409

    from rapport.recognition.tasks import make_recognition_report

    make_recognition_report.call(report["id"])
    done = get(as_("maya"), f"/reports/{report['id']}").json()
    assert (done["state"], done["done"], done["total"]) == ("done", 2, 2)
    assert done["csv_url"] == f"{API}/reports/{report['id']}/csv"
    csv_file = as_("maya").get(done["csv_url"])
    assert csv_file.status_code == 200
    assert csv_file["Content-Type"].startswith("text/csv")
    assert csv_file["Content-Disposition"] == (
        f'attachment; filename="recognition-{quarter.since}-to-{quarter.until}-r-d.csv"'
    )
    rows = list(csv.reader(io.StringIO(b"".join(csv_file.streaming_content).decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == ["Kim Lee", "Ravi Patel"]
    pdf = as_("maya").get(done["pdf_url"])
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert as_("sam").get(done["pdf_url"]).status_code == 403


def test_a_report_made_at_once_says_where_its_files_are(crew, as_, quarter, settings, tmp_path):
    settings.VAR_DIR, settings.TASKS = tmp_path, IMMEDIATE
    body = {"since": str(quarter.since), "until": str(quarter.until)}
    made = post(as_("maya"), "/reports/recognition", body).json()
    report = get(as_("maya"), f"/reports/{made['id']}").json()
    assert report["state"] == "done"
    assert report["team"] is None
    assert report["pdf_url"].endswith(f"/reports/{made['id']}/pdf")


def test_a_report_that_cannot_be_made_is_refused_with_the_reason(crew, as_, globex):
    empty = post(
        as_("maya"), "/reports/recognition", {"since": "2020-01-01", "until": "2020-03-31"}
    )
    assert empty.status_code == 400
    assert empty.json()["detail"] == (
        "since: Nothing was recorded between 1 Jan 2020 and 31 Mar 2020 for the workspace."
    )
    other_team = Team.objects.create(workspace=globex, name="Claims")
    unknown = post(
        as_("maya"),
        "/reports/recognition",
        {"since": "2026-01-01", "until": "2026-03-31", "team_id": other_team.pk},
    )
    assert unknown.status_code == 400
    assert "There is no department" in unknown.json()["fields"]["team"][0]
    reversed_ = post(
        as_("maya"), "/reports/recognition", {"since": "2026-03-01", "until": "2026-01-01"}
    )
    assert reversed_.status_code == 400
    assert (
        post(
            as_("maya"), "/reports/recognition", {"since": "soon", "until": "2026-01-01"}
        ).status_code
        == 422
    )
    assert (
        post(
            as_("sam"), "/reports/recognition", {"since": "2026-01-01", "until": "2026-03-31"}
        ).status_code
        == 403
    )
    assert not Report.objects.exists()


def test_another_workspaces_report_is_not_found(crew, as_, globex, quarter):
    theirs = Report.objects.create(workspace=globex, since=quarter.since, until=quarter.until)
    for path in (f"/reports/{theirs.pk}", f"/reports/{theirs.pk}/csv", f"/reports/{theirs.pk}/pdf"):
        assert get(as_("maya"), path).status_code == 404, path
    assert get(as_("sam"), f"/reports/{theirs.pk}").status_code == 403
