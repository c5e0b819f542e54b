"""The ideas API: a post turned into an idea, votes from other posts (one per person, whatever
identity they post from), shipping it and reading who was told; another workspace's idea is a
404, a role below manager cannot change a status, bad input is named, a vote on a merged
duplicate counts on the idea it became."""

from decimal import Decimal

import pytest

from rapport.contacts.models import Contact, Identity
from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.engagement.models import Reply
from rapport.engagement.tests.factories import make_post
from rapport.ideas import actions
from rapport.ideas.models import Idea, StatusChange, Vote
from rapport.listening.models import Post

pytestmark = pytest.mark.django_db

API = "/api/v1"
HUGE = 10**20


@pytest.fixture
def employee(acme, make_member):
    return make_member(acme, Role.EMPLOYEE, "erin@acme.example")


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER, "pat@acme.example")


@pytest.fixture
def staff(api_client, employee):
    return api_client(employee)


@pytest.fixture
def pm(api_client, manager):
    return api_client(manager)


def send(client, method, path, body=None):
    return getattr(client, method)(f"{API}{path}", body or {}, content_type="application/json")


def test_promote_vote_refuse_a_second_vote_ship_and_read_the_announcements(
    acme, staff, pm, manager
):
    post = make_post(acme, "Please let me pay with Apple Pay in the app", handle="dana")
    created = send(staff, "post", "/ideas", {"post_id": post.pk})
    assert created.status_code == 201, created.content
    idea = created.json()
    assert idea["title"] == "Please let me pay with Apple Pay in the app"
    assert (idea["origin"], idea["post_id"], idea["vote_count"]) == ("post", post.pk, 1)
    assert idea["author"]["kind"] == "contact"
    assert idea["author"]["name"] == "Dana Scully"
    dana = Contact.objects.get(pk=idea["author"]["id"])

    # two more customers' posts are added as votes
    for handle, name in (("fox", "Fox Mulder"), ("walter", "Walter Skinner")):
        other = make_post(acme, "+1 for Apple Pay", handle=handle, author_name=name)
        voted = send(staff, "post", f"/ideas/{idea['id']}/votes", {"post_id": other.pk})
        assert voted.status_code == 201, voted.content
        assert voted.json()["contact"]["name"] == name
        assert voted.json()["source"] == "post"
    assert send(staff, "get", f"/ideas/{idea['id']}").json()["vote_count"] == 3

    # Dana again: by another post, from her other account, and named by an employee
    bluesky = Identity.objects.create(
        workspace=acme, network="bluesky", external_id="did:dana", handle="dana.bsky", contact=dana
    )
    again = make_post(acme, "Apple Pay please!", handle="dana")
    elsewhere = make_post(
        acme, "Still no Apple Pay?", network="bluesky", handle="dana.bsky", identity=bluesky
    )
    for body in ({"post_id": again.pk}, {"post_id": elsewhere.pk}, {"contact_id": dana.pk}):
        refused = send(staff, "post", f"/ideas/{idea['id']}/votes", body)
        assert refused.status_code == 409, (body, refused.content)
        assert refused.json()["detail"] == (
            f"Dana Scully already voted for idea #{idea['id']}; one vote per person "
            "(their other accounts count as the same person)."
        )
    assert Vote.objects.filter(idea_id=idea["id"]).count() == 3
    assert send(staff, "get", f"/ideas/{idea['id']}").json()["vote_count"] == 3

    # the product manager ships it, with a public note; Walter asked not to be contacted
    Contact.objects.filter(name="Walter Skinner").update(do_not_contact=True)
    shipped = send(
        pm,
        "patch",
        f"/ideas/{idea['id']}",
        {"status": "shipped", "status_note": "Apple Pay is in version 4.2 of the app."},
    )
    assert shipped.status_code == 200, shipped.content
    body = shipped.json()
    assert (body["status"], body["status_note"]) == (
        "shipped",
        "Apple Pay is in version 4.2 of the app.",
    )
    (change,) = body["status_history"]
    assert (change["before"], change["after"], change["by_id"]) == ("new", "shipped", manager.pk)
    assert change["note"] == "Apple Pay is in version 4.2 of the app."

    # who was told: a reply in the outbox to each reachable voter's post, Walter skipped
    told = send(staff, "get", f"/ideas/{idea['id']}/announcements").json()
    assert told["count"] == 3
    assert [(a["contact"], a["channel"], a["state"], a["reason"]) for a in told["items"]] == [
        ("Dana Scully", "mastodon", "sent", ""),
        ("Fox Mulder", "mastodon", "sent", ""),
        ("Walter Skinner", "mastodon", "skipped", "Do not contact."),
    ]
    replies = Reply.objects.filter(post__in=[post, *Post.objects.filter(author_handle="fox")])
    assert replies.count() == 2
    assert all("Apple Pay is in version 4.2 of the app." in r.text for r in replies)
    assert {a["status"] for a in told["items"]} == {"shipped"}
    assert told["items"][0]["post_id"] == post.pk
    skipped = send(staff, "get", f"/ideas/{idea['id']}/announcements?state=skipped").json()
    assert [a["contact"] for a in skipped["items"]] == ["Walter Skinner"]


def test_announcements_show_the_latest_announced_change_unless_all(acme, employee, pm, manager):
    idea = actions.promote_post(employee, make_post(acme, "Round-up savings", handle="ann"))
    for status in ("planned", "in_progress", "shipped"):  # in progress is not announced
        actions.change_status(manager, idea, status, f"Now {status}")
    latest = send(pm, "get", f"/ideas/{idea.pk}/announcements").json()
    assert [a["status"] for a in latest["items"]] == ["shipped"]
    every = send(pm, "get", f"/ideas/{idea.pk}/announcements?all=true").json()
    assert [a["status"] for a in every["items"]] == ["shipped", "planned"]
    quiet = actions.create_idea(employee, title="Nobody was told yet")
    assert send(pm, "get", f"/ideas/{quiet.pk}/announcements").json() == {"items": [], "count": 0}


def test_another_workspace_s_idea_is_a_404(acme, globex, employee, manager, api_client):
    idea = actions.promote_post(employee, make_post(acme, "Apple Pay please"))
    vote = Vote.objects.get(idea=idea)
    outsider = api_client(globex.memberships.get(role=Role.OWNER))
    for method, path, body in (
        ("get", f"/ideas/{idea.pk}", None),
        ("patch", f"/ideas/{idea.pk}", {"status": "declined"}),
        ("get", f"/ideas/{idea.pk}/votes", None),
        ("post", f"/ideas/{idea.pk}/votes", {"contact_id": vote.contact_id}),
        ("delete", f"/ideas/{idea.pk}/votes/{vote.pk}", None),
        ("get", f"/ideas/{idea.pk}/announcements", None),
        ("post", f"/ideas/{idea.pk}/merge", {"into_id": idea.pk}),
    ):
        response = send(outsider, method, path, body)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json()["detail"] == "No such idea"
    # nor may its own idea take this workspace's post, contact or area
    own = actions.create_idea(globex.memberships.get(role=Role.OWNER), title="Globex idea")
    area = actions.create_area(acme.memberships.get(role=Role.OWNER), name="Mobile app")
    for path, data in (
        ("/ideas", {"post_id": idea.post_id}),
        ("/ideas", {"title": "For Dana", "contact_id": vote.contact_id}),
        ("/ideas", {"title": "In their area", "area_id": area.pk}),
        (f"/ideas/{own.pk}/votes", {"contact_id": vote.contact_id}),
        (f"/ideas/{own.pk}/merge", {"into_id": idea.pk}),
    ):
        assert send(outsider, "post", path, data).status_code == 404, path
    listed = send(outsider, "get", "/ideas").json()
    assert [i["id"] for i in listed["items"]] == [own.pk]
    idea.refresh_from_db()
    assert (idea.status, idea.vote_count, idea.merged_into_id) == ("new", 1, None)


def test_an_employee_cannot_change_an_idea_s_status(acme, staff, employee):
    idea = actions.create_idea(employee, title="Freeze my card from the watch")
    before = AuditEvent.objects.count()
    response = send(staff, "patch", f"/ideas/{idea.pk}", {"status": "planned"})
    assert response.status_code == 403
    assert "manager" in response.json()["detail"].lower()
    idea.refresh_from_db()
    assert idea.status == "new"
    assert not StatusChange.objects.filter(idea=idea).exists()
    assert AuditEvent.objects.count() == before
    # nor merge, nor remove a vote; submitting and voting is theirs
    other = actions.create_idea(employee, title="Card freeze on the watch")
    assert send(staff, "post", f"/ideas/{other.pk}/merge", {"into_id": idea.pk}).status_code == 403
    dana = Contact.objects.create(workspace=acme, name="Dana Scully")
    vote = send(staff, "post", f"/ideas/{idea.pk}/votes", {"contact_id": dana.pk}).json()
    assert (vote["source"], vote["counted"]) == ("employee", True)
    assert send(staff, "delete", f"/ideas/{idea.pk}/votes/{vote['id']}").status_code == 403


def test_bad_input_is_refused_with_the_field_named(acme, staff, pm, employee):
    idea = actions.create_idea(employee, title="Dark mode")
    cases = [
        ("patch", f"/ideas/{idea.pk}", {"status": "done"}, 422, "status: Input should be"),
        ("patch", f"/ideas/{idea.pk}", {"title": "x" * 201}, 422, "title: String should have"),
        ("post", "/ideas", {"title": "x" * 201}, 422, "title: String should have at most 200"),
        ("post", "/ideas", {"title": "   "}, 400, "title: The title is required."),
        ("post", "/ideas", {"body": "no title"}, 400, "title: The title is required."),
        (
            "post",
            f"/ideas/{idea.pk}/votes",
            {"contact_id": 1, "post_id": 1},
            422,
            "give either contact_id or post_id, not both",
        ),
        ("post", f"/ideas/{idea.pk}/votes", {}, 422, "give either contact_id or post_id"),
        (
            "post",
            "/ideas",
            {"post_id": 1, "contact_id": 1},
            422,
            "contact_id is for an idea typed in",
        ),
        ("post", "/ideas", {"post_id": 1, "case_id": 1}, 422, "give one of post_id"),
        ("get", f"/ideas/{HUGE}", None, 422, "idea_id: Input should be less than or equal to"),
        ("post", f"/ideas/{idea.pk}/votes", {"contact_id": HUGE}, 422, "contact_id: Input"),
        ("post", f"/ideas/{idea.pk}/merge", {"into_id": HUGE}, 422, "into_id: Input"),
        ("post", f"/ideas/{idea.pk}/merge", {"into_id": idea.pk}, 400, "into_id: An idea cannot"),
        ("delete", f"/ideas/{idea.pk}/votes/{HUGE}", None, 422, "vote_id: Input"),
        ("get", "/ideas?status=done", None, 422, "query.status: Input should be '', 'new'"),
        ("get", "/ideas?sort=best", None, 422, "query.sort: Input should be"),
        ("get", "/ideas?origin=tweet", None, 422, "query.origin: Input should be"),
        ("get", f"/ideas?q={'a' * 201}", None, 400, "q: Search for at most 200 characters."),
        ("get", "/ideas?area=cards", None, 400, "area: area must be a product area's id"),
        ("get", f"/ideas?page={HUGE}", None, 422, "query.page: Input should be less than"),
        ("get", f"/ideas/similar?text={'a' * 2001}", None, 422, "query.text: String should"),
        ("get", "/ideas/similar?text=x&limit=1000", None, 422, "query.limit: Input should be"),
        ("post", "/idea-areas", {"name": ""}, 422, "name: String should have at least 1"),
    ]
    wrong = []
    for method, path, body, status, message in cases:
        client = pm if method in ("patch", "delete") or "merge" in path else staff
        response = send(client, method, path, body)
        detail = response.json().get("detail", "")
        if response.status_code != status or message not in detail:
            wrong.append(f"{method} {path} {body}: {response.status_code} {detail}")
    assert not wrong, "\n".join(wrong)
    idea.refresh_from_db()
    assert (idea.title, idea.status) == ("Dark mode", "new")


def test_a_refused_status_leaves_the_rest_of_the_change_undone(acme, pm, employee, manager):
    idea = actions.create_idea(employee, title="Dark mode")
    other = actions.create_idea(employee, title="Night theme")
    assert send(pm, "post", f"/ideas/{other.pk}/merge", {"into_id": idea.pk}).status_code == 200
    response = send(pm, "patch", f"/ideas/{other.pk}", {"title": "Renamed", "status": "planned"})
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "status": [f"This idea was merged into idea #{idea.pk}; change that one."]
    }
    other.refresh_from_db()
    assert other.title == "Night theme"


def test_a_vote_on_a_merged_idea_moves_to_the_idea_it_became(acme, staff, pm, employee):
    dark = actions.promote_post(
        employee, make_post(acme, "Dark mode please", handle="ann", author_name="Ann")
    )
    night = actions.promote_post(
        employee, make_post(acme, "Night theme please", handle="bob", author_name="Bob")
    )
    ann_again = make_post(acme, "dark mode!", handle="ann", author_name="Ann")
    voted = send(staff, "post", f"/ideas/{night.pk}/votes", {"post_id": ann_again.pk})
    assert voted.status_code == 201
    merged = send(pm, "post", f"/ideas/{night.pk}/merge", {"into_id": dark.pk})
    assert merged.status_code == 200, merged.content
    assert (merged.json()["id"], merged.json()["vote_count"]) == (dark.pk, 2)  # ann, bob
    duplicate = send(staff, "get", f"/ideas/{night.pk}").json()
    assert duplicate["merged_into"] == {"id": dark.pk, "title": dark.title}
    assert duplicate["vote_count"] == 0

    cat = Contact.objects.create(workspace=acme, name="Cat Lee", tier="gold", lifetime_value=12500)
    vote = send(staff, "post", f"/ideas/{night.pk}/votes", {"contact_id": cat.pk})
    assert vote.status_code == 201, vote.content
    assert vote.json()["idea_id"] == dark.pk
    assert (vote.json()["tier"], Decimal(vote.json()["value"])) == ("gold", Decimal("12500"))
    assert send(staff, "get", f"/ideas/{dark.pk}").json()["vote_count"] == 3
    # and Ann's vote on the merged duplicate, made twice, still counts once
    once_more = make_post(acme, "dark!", handle="ann", author_name="Ann")
    again = send(staff, "post", f"/ideas/{night.pk}/votes", {"post_id": once_more.pk})
    assert again.status_code == 409
    # the duplicate's uncounted vote of Ann's is kept, for the record
    kept = send(staff, "get", f"/ideas/{night.pk}/votes").json()
    assert [(v["contact"]["name"], v["counted"]) for v in kept["items"]] == [("Ann", False)]
    listed = send(staff, "get", "/ideas").json()
    assert [i["id"] for i in listed["items"]] == [dark.pk]  # the duplicate left the list


def test_list_search_filter_sort_and_pages(acme, staff, pm, employee, manager):
    area = actions.create_area(acme.memberships.get(role=Role.OWNER), name="Mobile app")
    titles = ["Dark mode", "Apple Pay", "Round-up savings", "Card freeze", "Joint accounts"]
    ideas = [actions.create_idea(employee, title=t) for t in titles]
    for i, idea in enumerate(ideas):
        for n in range(i):
            voter = Contact.objects.create(workspace=acme, name=f"Voter {i}-{n}")
            send(staff, "post", f"/ideas/{idea.pk}/votes", {"contact_id": voter.pk})
    send(pm, "patch", f"/ideas/{ideas[0].pk}", {"area_id": area.pk, "status": "planned"})

    top = send(staff, "get", "/ideas?sort=top").json()
    assert [i["title"] for i in top["items"]] == list(reversed(titles))
    new = send(staff, "get", "/ideas?sort=new").json()
    assert [i["title"] for i in new["items"]] == list(reversed(titles))
    assert send(staff, "get", "/ideas?q=apple").json()["items"][0]["title"] == "Apple Pay"
    by_number = send(staff, "get", f"/ideas?q=%23{ideas[3].pk}").json()
    assert [i["title"] for i in by_number["items"]] == ["Card freeze"]
    planned = send(staff, "get", f"/ideas?status=planned&area={area.pk}").json()
    assert [(i["title"], i["area"]) for i in planned["items"]] == [("Dark mode", "Mobile app")]
    assert send(staff, "get", "/ideas?area=none").json()["count"] == 4
    assert send(staff, "get", "/ideas?q=pay apple").json()["items"][0]["title"] == "Apple Pay"
    assert send(staff, "get", "/ideas?origin=employee").json()["count"] == 5
    assert send(staff, "get", "/ideas?origin=post").json()["count"] == 0
    page = send(staff, "get", "/ideas?sort=top&page=2&page_size=2").json()
    assert page["count"] == 5
    assert [i["title"] for i in page["items"]] == ["Round-up savings", "Apple Pay"]
    assert send(staff, "get", "/ideas?q=zeppelin").json() == {"items": [], "count": 0}

    areas = send(staff, "get", "/idea-areas").json()
    assert areas == {"items": [{"id": area.pk, "name": "Mobile app", "idea_count": 1}], "count": 1}


def test_similar_ideas_and_areas(acme, employee, api_client, staff):
    dark = actions.create_idea(employee, title="Dark mode in the mobile app")
    actions.create_idea(employee, title="Apple Pay support for debit cards")
    found = send(staff, "get", "/ideas/similar?text=a dark theme for the app at night").json()
    assert found[0]["idea"]["id"] == dark.pk
    assert 0 < found[0]["score"] <= 1
    assert send(staff, "get", f"/ideas/similar?text=dark mode&exclude={dark.pk}").json()[:1] != [
        found[0]
    ]
    assert send(staff, "get", "/ideas/similar?text=").json() == []

    admin = api_client(acme.memberships.get(role=Role.OWNER))
    made = send(admin, "post", "/idea-areas", {"name": "Cards"})
    assert made.status_code == 201
    assert made.json() == {"id": made.json()["id"], "name": "Cards", "idea_count": 0}
    assert send(staff, "post", "/idea-areas", {"name": "Loans"}).status_code == 403
    idea = send(staff, "post", "/ideas", {"title": "Virtual cards", "area_id": made.json()["id"]})
    assert idea.json()["area"] == "Cards"


def test_removing_a_vote_counts_it_no_more(acme, staff, pm, employee):
    idea = actions.create_idea(employee, title="Dark mode")
    dana = Contact.objects.create(workspace=acme, name="Dana Scully")
    vote = send(staff, "post", f"/ideas/{idea.pk}/votes", {"contact_id": dana.pk}).json()
    listed = send(staff, "get", f"/ideas/{idea.pk}/votes").json()
    assert [v["id"] for v in listed["items"]] == [vote["id"]]
    assert send(pm, "delete", f"/ideas/{idea.pk}/votes/{vote['id']}").status_code == 204
    assert send(staff, "get", f"/ideas/{idea.pk}").json()["vote_count"] == 0
    assert send(pm, "delete", f"/ideas/{idea.pk}/votes/{vote['id']}").status_code == 404
    # and she may vote again
    again = send(staff, "post", f"/ideas/{idea.pk}/votes", {"contact_id": dana.pk})
    assert again.status_code == 201
    assert Idea.objects.get(pk=idea.pk).vote_count == 1
