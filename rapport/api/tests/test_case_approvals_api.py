"""Approvals on cases through the API: ask a person, role or team (the case waits on it);
decide once, never by the requester (403), a second decision is a 409; another workspace's
case or approval is a 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.cases import actions
from rapport.cases.models import Case
from rapport.core import actions as core
from rapport.core.models import Membership
from rapport.core.roles import Role

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def people(acme, owner, make_member) -> dict[str, Membership]:
    return {
        "owner": owner,
        "sam": make_member(acme, Role.AGENT, "sam@acme.example"),
        "ingrid": make_member(acme, Role.MANAGER, "ingrid@acme.example"),
        "leo": make_member(acme, Role.MANAGER, "leo@acme.example"),
    }


@pytest.fixture
def case(people) -> Case:
    return actions.create_case(people["sam"], subject="Mortgage payment taken twice")


def _post(client, path: str, body: dict):
    return client.post(f"{API}{path}", body, content_type="application/json")


def test_ask_a_person_then_decide_once_never_by_the_requester(people, case, api_client):
    sam, ingrid, leo = (api_client(people[n]) for n in ("sam", "ingrid", "leo"))
    asked = _post(
        sam,
        f"/cases/{case.pk}/approvals",
        {"approver_id": people["ingrid"].pk, "amount": "1250.50", "reason": "Taken twice"},
    )
    assert asked.status_code == 201, asked.content
    body = asked.json()
    assert (body["state"], body["amount"], body["asked_of"]) == (
        "pending",
        "1250.50",
        "ingrid@acme.example",
    )
    assert body["subject_type"] == "cases.case"
    case.refresh_from_db()
    assert case.status == "waiting_approval"

    mine = _post(sam, f"/approvals/{body['id']}/decision", {"decision": "approve"})
    assert mine.status_code == 403  # maker-checker: the requester never decides
    assert "someone else must decide it" in mine.json()["detail"]
    listed = sam.get(f"{API}/cases/{case.pk}/approvals").json()
    assert [a["id"] for a in listed] == [body["id"]]

    not_asked = _post(leo, f"/approvals/{body['id']}/decision", {"decision": "approve"})
    assert not_asked.status_code == 404
    done = _post(ingrid, f"/approvals/{body['id']}/decision", {"decision": "approve"})
    assert done.status_code == 200
    assert done.json()["decided_by"] == "ingrid@acme.example"
    again = _post(
        ingrid, f"/approvals/{body['id']}/decision", {"decision": "reject", "comment": "x"}
    )
    assert again.status_code == 409
    assert "already approved by ingrid@acme.example" in again.json()["detail"]
    case.refresh_from_db()
    assert case.status == "open"


def test_the_requester_gets_a_403_even_holding_the_role(people, case, api_client):
    ingrid = api_client(people["ingrid"])
    asked = _post(ingrid, f"/cases/{case.pk}/approvals", {"approver_role": "manager"})
    assert asked.status_code == 201
    own = _post(ingrid, f"/approvals/{asked.json()['id']}/decision", {"decision": "approve"})
    assert own.status_code == 403
    assert "You asked for this approval" in own.json()["detail"]


def test_ask_a_team_and_bad_requests_are_400_naming_the_problem(people, case, api_client, owner):
    team = core.create_team(owner, name="Senior credit officers")
    core.add_team_member(owner, team, people["ingrid"])
    sam = api_client(people["sam"])
    bad_amount = _post(
        sam, f"/cases/{case.pk}/approvals", {"approver_team_id": team.pk, "amount": "-3"}
    )
    assert bad_amount.status_code == 400
    assert "amount: The amount must be more than zero." in bad_amount.json()["detail"]
    both = _post(
        sam,
        f"/cases/{case.pk}/approvals",
        {"approver_team_id": team.pk, "approver_role": "manager"},
    )
    assert both.status_code == 400
    assert "one person, one role or one team" in both.json()["detail"]
    case.refresh_from_db()
    assert case.status == "new"
    ok = _post(sam, f"/cases/{case.pk}/approvals", {"approver_team_id": team.pk, "amount": 90})
    assert ok.status_code == 201
    assert ok.json()["approver_team_id"] == team.pk
    decided = _post(
        api_client(people["ingrid"]),
        f"/approvals/{ok.json()['id']}/decision",
        {"decision": "reject", "comment": "Goodwill only"},
    )
    assert decided.json()["state"] == "rejected"


def test_another_workspaces_case_team_and_approval_are_404(
    people, case, api_client, globex, make_member
):
    outsider = make_member(globex, Role.ADMIN, "admin@globex.example")
    theirs = api_client(outsider)
    assert (
        _post(theirs, f"/cases/{case.pk}/approvals", {"approver_role": "manager"}).status_code
        == 404
    )
    assert theirs.get(f"{API}/cases/{case.pk}/approvals").status_code == 404
    asked = _post(
        api_client(people["sam"]), f"/cases/{case.pk}/approvals", {"approver_role": "manager"}
    ).json()
    assert theirs.get(f"{API}/approvals/{asked['id']}").status_code == 404
    decision = _post(theirs, f"/approvals/{asked['id']}/decision", {"decision": "approve"})
    assert decision.status_code == 404
    other_team = core.create_team(
        Membership.objects.get(workspace=globex, role=Role.OWNER), name="Globex credit"
    )
    leaked = _post(
        api_client(people["sam"]),
        f"/cases/{case.pk}/approvals",
        {"approver_team_id": other_team.pk},
    )
    assert leaked.status_code == 404


def test_delegations_through_the_api(people, case, api_client):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    ingrid = api_client(people["ingrid"])
    made = _post(
        ingrid,
        "/approval-delegations",
        {
            "delegate_id": people["leo"].pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    assert made.json()["delegate"] == "leo@acme.example"
    leo = api_client(people["leo"])
    assert [d["delegator"] for d in leo.get(f"{API}/approval-delegations").json()] == [
        "ingrid@acme.example"
    ]
    asked = _post(
        api_client(people["sam"]),
        f"/cases/{case.pk}/approvals",
        {"approver_id": people["ingrid"].pk},
    ).json()
    decided = _post(leo, f"/approvals/{asked['id']}/decision", {"decision": "approve"})
    assert decided.status_code == 200
    assert decided.json()["on_behalf_of"] == "ingrid@acme.example"
    past = _post(
        ingrid,
        "/approval-delegations",
        {"delegate_id": people["sam"].pk, "starts_on": "2020-01-01", "ends_on": "2020-01-02"},
    )
    assert past.status_code == 400
    assert "is in the past" in past.json()["detail"]
    not_mine = _post(leo, f"/approval-delegations/{made.json()['id']}/end", {})
    assert not_mine.status_code == 403
    ended = _post(ingrid, f"/approval-delegations/{made.json()['id']}/end", {})
    assert ended.json()["ended_at"] is not None


def test_the_requester_adds_files_to_a_pending_approval(
    people, case, api_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    sam = api_client(people["sam"])
    asked = _post(sam, f"/cases/{case.pk}/approvals", {"approver_id": people["ingrid"].pk}).json()
    url = f"{API}/approvals/{asked['id']}/attachments"
    pdf = SimpleUploadedFile("statement.pdf", b"%PDF-1.4 statement", "application/pdf")
    added = sam.post(url, {"files": [pdf]})
    assert added.status_code == 201, added.content
    assert added.json()["attachments"] == ["statement.pdf"]
    fake = SimpleUploadedFile("photo.png", b"not a png at all", "image/png")
    bad = sam.post(url, {"files": [fake]})
    assert bad.status_code == 400
    assert "photo.png does not look like a .png file" in bad.json()["detail"]
    other = api_client(people["ingrid"]).post(
        url, {"files": [SimpleUploadedFile("x.txt", b"x", "text/plain")]}
    )
    assert other.status_code == 403
    _post(
        api_client(people["ingrid"]), f"/approvals/{asked['id']}/decision", {"decision": "approve"}
    )
    late = sam.post(url, {"files": [SimpleUploadedFile("y.txt", b"y", "text/plain")]})
    assert late.status_code == 409
    assert "approved; files are added while it is pending" in late.json()["detail"]
