"""The cases API: open (by hand or from a conversation), list with filters, change, move along
the state machine (409 when refused), tasks and comments; another workspace's case is 404."""

import datetime

import pytest
from django.utils import timezone

from rapport.cases import actions
from rapport.cases.models import Case
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation, team

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


def test_open_list_filter_and_page_cases(acme, owner, agent, api_client):
    care = team(owner, "Social Care", agent)
    client = api_client(agent)
    created = client.post(
        f"{API}/cases",
        {"subject": "Mortgage payment taken twice", "team_id": care.pk, "priority": "high"},
        content_type="application/json",
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["status"], body["priority"], body["team"]) == ("new", "high", "Social Care")
    assert body["allowed_transitions"][0] == "open"
    assert "closed" not in body["allowed_transitions"]
    for i in range(4):
        actions.create_case(owner, subject=f"Card question {i}")
    everything = client.get(f"{API}/cases", {"limit": 3}).json()
    assert (everything["count"], everything["pages"], len(everything["items"])) == (5, 2, 3)
    second = client.get(f"{API}/cases", {"limit": 3, "page": 2}).json()
    assert len(second["items"]) == 2
    assert [
        c["subject"] for c in client.get(f"{API}/cases", {"team": care.pk}).json()["items"]
    ] == ["Mortgage payment taken twice"]
    assert client.get(f"{API}/cases", {"q": "card"}).json()["count"] == 4
    bad = client.get(f"{API}/cases", {"status": "asleep"})
    assert bad.status_code == 400
    assert "Unknown status 'asleep'" in bad.json()["detail"]
    assert (
        client.post(f"{API}/cases", {"subject": " "}, content_type="application/json").status_code
        == 400
    )


def test_open_from_a_conversation_keeps_the_link(acme, agent, api_client):
    conv = conversation(acme, "You took my payment twice", author="payer")
    response = api_client(agent).post(
        f"{API}/cases",
        {"subject": "", "conversation_id": conv.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["conversation_id"] == conv.pk
    assert response.json()["subject"] == conv.subject


def test_a_refused_transition_answers_409_with_the_reason(acme, agent, api_client):
    case = actions.create_case(agent, subject="Refund")
    client = api_client(agent)
    refused = client.patch(
        f"{API}/cases/{case.pk}", {"status": "closed"}, content_type="application/json"
    )
    assert refused.status_code == 409
    assert "from new to closed" in refused.json()["detail"]
    assert Case.objects.get(pk=case.pk).status == "new"
    mixed = client.patch(
        f"{API}/cases/{case.pk}",
        {"subject": "Renamed", "status": "closed"},
        content_type="application/json",
    )
    assert mixed.status_code == 409
    assert Case.objects.get(pk=case.pk).subject == "Refund"
    task = client.post(
        f"{API}/cases/{case.pk}/tasks",
        {"title": "Issue the credit", "due_date": timezone.localdate().isoformat()},
        content_type="application/json",
    ).json()
    blocked = client.patch(
        f"{API}/cases/{case.pk}", {"status": "resolved"}, content_type="application/json"
    )
    assert blocked.status_code == 409
    assert "1 task still open" in blocked.json()["detail"]
    done = client.patch(
        f"{API}/tasks/{task['id']}", {"status": "done"}, content_type="application/json"
    )
    assert done.json()["status"] == "done"
    resolved = client.patch(
        f"{API}/cases/{case.pk}",
        {"status": "resolved", "priority": "urgent"},
        content_type="application/json",
    )
    assert resolved.status_code == 200
    assert (resolved.json()["status"], resolved.json()["priority"]) == ("resolved", "urgent")


def test_tasks_and_comments_validate_their_input(acme, agent, api_client):
    case = actions.create_case(agent, subject="Refund")
    client = api_client(agent)
    past = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    late = client.post(
        f"{API}/cases/{case.pk}/tasks",
        {"title": "x", "due_date": past},
        content_type="application/json",
    )
    assert late.status_code == 400
    assert "in the past" in late.json()["detail"]
    comment = client.post(
        f"{API}/cases/{case.pk}/comments",
        {"body": "We have refunded you.", "public": True},
        content_type="application/json",
    )
    assert comment.status_code == 201
    assert comment.json()["public"] is True
    assert AuditEvent.objects.filter(verb="case.comment").count() == 1
    empty = client.post(
        f"{API}/cases/{case.pk}/comments", {"body": ""}, content_type="application/json"
    )
    assert empty.status_code == 400


def test_another_workspaces_case_and_task_are_404(acme, globex, owner, api_client):
    case = actions.create_case(owner, subject="Private")
    task = actions.add_task(owner, case, title="Secret")
    stranger = api_client(Membership.objects.get(workspace=globex, role=Role.OWNER))
    assert stranger.get(f"{API}/cases/{case.pk}").status_code == 404
    assert (
        stranger.patch(
            f"{API}/cases/{case.pk}", {"status": "open"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        stranger.patch(
            f"{API}/tasks/{task.pk}", {"status": "done"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            f"{API}/cases/{case.pk}/comments", {"body": "hi"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert stranger.get(f"{API}/cases").json()["count"] == 0
