"""The identity-resolution API: merge, unmerge, the review queue, a dedupe run; tenancy."""

import pytest

from rapport.contacts import actions
from rapport.contacts.linkage.batch import dedupe_now
from rapport.contacts.models import Contact, Identity, MatchSuggestion
from rapport.core.roles import Role


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


@pytest.fixture
def client(agent, api_client):
    return api_client(agent)


def _pair(agent):
    a = actions.create_contact(
        agent, first_name="Priya", last_name="Nair", birth_date="1988-07-21", city="Leeds"
    )
    b = actions.create_contact(
        agent,
        first_name="Priya",
        last_name="Nayr",
        birth_date="1988-07-21",
        city="Leeds",
        phone="01632 960123",
    )
    Identity.objects.create(
        workspace=agent.workspace, network="bluesky", external_id="did:1", handle="priya", contact=b
    )
    return a, b


def test_merge_and_unmerge_through_the_api(agent, client, acme, make_member, api_client):
    a, b = _pair(agent)
    response = client.post(
        f"/api/v1/contacts/{a.pk}/merge", {"other_id": b.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["survivor_id"], body["merged_id"]) == (a.pk, b.pk)
    assert body["moved"]["contacts.identity.contact"] == 1
    assert Identity.objects.get().contact_id == a.pk
    history = client.get(f"/api/v1/contacts/{a.pk}/merges").json()
    assert [h["id"] for h in history] == [body["id"]]
    # the merged contact's id undoes its merge
    undone = client.post(f"/api/v1/contacts/{b.pk}/unmerge")
    assert undone.status_code == 200, undone.content
    assert undone.json()["unmerged_at"]
    assert Identity.objects.get().contact_id == b.pk
    assert Contact.objects.get(pk=b.pk).merged_into_id is None
    again = client.post(f"/api/v1/contacts/{b.pk}/unmerge")
    assert again.status_code == 400
    assert "no merge to undo" in again.json()["detail"]


def test_merge_refusals_answer_400_with_the_reason(agent, client):
    a, _ = _pair(agent)
    response = client.post(
        f"/api/v1/contacts/{a.pk}/merge", {"other_id": a.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "itself" in response.json()["detail"]


def test_another_workspaces_contact_is_404(agent, client, globex, make_member):
    a, _ = _pair(agent)
    theirs = actions.create_contact(make_member(globex, Role.ADMIN), name="Priya Nair")
    for url, body in (
        (f"/api/v1/contacts/{a.pk}/merge", {"other_id": theirs.pk}),
        (f"/api/v1/contacts/{theirs.pk}/merge", {"other_id": a.pk}),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 404
    assert not Contact.objects.filter(merged_into__isnull=False).exists()


def test_the_review_queue_lists_explains_and_remembers(agent, client, acme, globex, make_member):
    _pair(agent)
    dedupe_now(acme.pk)
    other = make_member(globex, Role.ADMIN)
    actions.create_contact(other, first_name="Priya", last_name="Nair", birth_date="1988-07-21")
    actions.create_contact(other, first_name="Priya", last_name="Nair", birth_date="1988-07-21")
    dedupe_now(globex.pk)
    page = client.get("/api/v1/merge-suggestions").json()
    assert page["count"] == 1  # not the other workspace's pair
    item = page["items"][0]
    assert item["contact"]["name"] == "Priya Nair"
    assert {p["field"] for p in item["explanation"]} >= {"first_name", "last_name", "birth_date"}
    assert client.get("/api/v1/merge-suggestions", {"q": "nay"}).json()["count"] == 1
    assert client.get("/api/v1/merge-suggestions", {"q": "zed"}).json()["count"] == 0
    rejected = client.post(f"/api/v1/merge-suggestions/{item['id']}/reject")
    assert rejected.json()["state"] == "not_same"
    dedupe_now(acme.pk)
    assert client.get("/api/v1/merge-suggestions").json()["count"] == 0
    theirs = MatchSuggestion.objects.get(workspace=globex)
    assert client.post(f"/api/v1/merge-suggestions/{theirs.pk}/reject").status_code == 404


def test_accepting_a_suggestion_merges(agent, client, acme):
    a, b = _pair(agent)
    dedupe_now(acme.pk)
    suggestion = MatchSuggestion.objects.get()
    response = client.post(
        f"/api/v1/merge-suggestions/{suggestion.pk}/accept",
        {"survivor_id": b.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["survivor_id"] == b.pk
    assert Contact.objects.get(pk=a.pk).merged_into_id == b.pk


def test_a_dedupe_run_is_for_managers_and_shows_progress(
    agent, client, acme, make_member, api_client
):
    assert (
        client.post("/api/v1/dedupe-runs", {}, content_type="application/json").status_code == 403
    )
    manager = api_client(make_member(acme, Role.MANAGER))
    response = manager.post("/api/v1/dedupe-runs", {}, content_type="application/json")
    assert response.status_code == 202, response.content
    run = response.json()
    assert run["state"] == "queued"
    assert manager.get(f"/api/v1/dedupe-runs/{run['id']}").json()["id"] == run["id"]
