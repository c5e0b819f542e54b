"""The inbox API: conversations (filters, keyset pages), changes, notes, captures, rules."""

import pytest

from rapport.cases.models import Case, CaseType
from rapport.core.models import AuditEvent, Membership
from rapport.core.roles import Role
from rapport.inbox.models import Conversation, RoutingRule
from rapport.inbox.tests.factories import conversation, team

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


def test_list_filters_and_pages_with_a_cursor(acme, agent, api_client):
    for i in range(5):
        conversation(acme, f"complaint {i}", author=f"c{i}")
    conversation(acme, "want a loan", author="lead", intent="lead", sentiment="neutral")
    client = api_client(agent)
    page = client.get(f"{API}/conversations", {"limit": 4}).json()
    assert page["count"] == 6
    assert page["count_capped"] is False
    assert len(page["items"]) == 4
    rest = client.get(f"{API}/conversations", {"limit": 4, "after": page["next"]}).json()
    assert len(rest["items"]) == 2
    assert rest["next"] == ""
    assert not {c["id"] for c in page["items"]} & {c["id"] for c in rest["items"]}
    leads = client.get(f"{API}/conversations", {"view": "leads"}).json()
    assert [c["subject"] for c in leads["items"]] == ["want a loan"]
    searched = client.get(f"{API}/conversations", {"q": "loan"}).json()
    assert [c["subject"] for c in searched["items"]] == ["want a loan"]
    bad = client.get(f"{API}/conversations", {"status": "sleeping"})
    assert bad.status_code == 400
    assert "Unknown status 'sleeping'" in bad.json()["detail"]
    broken = client.get(f"{API}/conversations", {"after": "yesterday"})
    assert broken.status_code == 400


def test_patch_changes_status_assignee_team_priority_and_tags(acme, owner, agent, api_client):
    care = team(owner, "Social Care", agent)
    conv = conversation(acme)
    client = api_client(agent)
    response = client.patch(
        f"{API}/conversations/{conv.pk}",
        {
            "status": "waiting",
            "assignee_id": agent.pk,
            "team_id": care.pk,
            "priority": "urgent",
            "tags": ["VIP", "cards"],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["assignee_id"], body["team"], body["priority"]) == (
        "waiting",
        agent.pk,
        "Social Care",
        "urgent",
    )
    assert body["tags"] == ["cards", "vip"]
    assert any("waiting on customer" in h["message"] for h in body["history"])
    assert AuditEvent.objects.filter(verb__startswith="conversation.").count() >= 4
    again = client.patch(
        f"{API}/conversations/{conv.pk}", {"tags": ["cards"]}, content_type="application/json"
    )
    assert again.json()["tags"] == ["cards"]
    bad = client.patch(
        f"{API}/conversations/{conv.pk}", {"priority": "meh"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "Unknown priority 'meh'" in bad.json()["detail"]


def test_notes_and_mentions(acme, agent, api_client, make_member):
    maya = make_member(acme, Role.MANAGER, email="maya@acme.example")
    conv = conversation(acme)
    client = api_client(agent)
    created = client.post(
        f"{API}/conversations/{conv.pk}/notes",
        {"body": "@maya goodwill credit?"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["mentions"] == [maya.pk]
    unknown = client.post(
        f"{API}/conversations/{conv.pk}/notes",
        {"body": "@ghost hi"},
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert "@ghost" in unknown.json()["detail"]


def test_captures_by_text(acme, make_member, api_client):
    employee = make_member(acme, Role.EMPLOYEE)
    client = api_client(employee)
    response = client.post(
        f"{API}/captures",
        {"url": "https://forum.example/t/9", "text": "Acme app crashed", "author": "lu"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    conv = Conversation.objects.get(pk=response.json()["conversation_id"])
    assert conv.captured_by == employee
    refused = client.post(
        f"{API}/captures", {"url": "https://forum.example/t/10"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "cannot fetch posts from forum.example" in refused.json()["detail"]


def test_routing_rules_crud_and_dry_run(acme, owner, agent, api_client):
    conversation(acme, "card declined")
    client = api_client(owner)
    rule = {
        "name": "Complaints urgent",
        "conditions": [{"field": "intent", "operator": "is", "value": "complaint"}],
        "actions": [{"type": "set_priority", "priority": "urgent"}],
    }
    preview = client.post(f"{API}/routing-rules/dry-run", rule, content_type="application/json")
    assert preview.status_code == 200, preview.content
    assert preview.json()["matched"] == 1
    assert preview.json()["would"] == ["set the priority to urgent"]
    created = client.post(f"{API}/routing-rules", rule, content_type="application/json")
    assert created.status_code == 201
    rule_id = created.json()["id"]
    bad = client.post(
        f"{API}/routing-rules",
        {**rule, "name": "x", "conditions": [{"field": "mood", "operator": "is", "value": 1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "unknown field 'mood'" in bad.json()["detail"]
    patched = client.patch(
        f"{API}/routing-rules/{rule_id}", {"enabled": False}, content_type="application/json"
    )
    assert patched.json()["enabled"] is False
    assert [r["name"] for r in client.get(f"{API}/routing-rules").json()] == ["Complaints urgent"]
    forbidden = api_client(agent).post(
        f"{API}/routing-rules", rule, content_type="application/json"
    )
    assert forbidden.status_code == 403
    assert client.delete(f"{API}/routing-rules/{rule_id}").status_code == 204
    assert not RoutingRule.objects.exists()


def test_a_rule_opens_a_typed_case_for_a_team_through_the_api(acme, owner, globex, api_client):
    disputes = CaseType.objects.create(workspace=acme, name="Payment dispute")
    back_office = team(owner, "Back office")
    theirs = CaseType.objects.create(workspace=globex, name="Payment dispute")
    client = api_client(owner)
    step = {"type": "open_case", "case_type": disputes.pk, "team": back_office.pk}
    rule = {"name": "Disputes", "conditions": [], "actions": [step]}
    preview = client.post(f"{API}/routing-rules/dry-run", rule, content_type="application/json")
    assert preview.json()["would"] == ["open a Payment dispute case for Back office"]
    created = client.post(f"{API}/routing-rules", rule, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["actions"] == [step]
    refused = client.post(
        f"{API}/routing-rules",
        {**rule, "name": "Theirs", "actions": [{**step, "case_type": theirs.pk}]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert f"no case type {theirs.pk} in this workspace" in refused.json()["detail"]
    conv = conversation(acme, "Charged twice", author="payer")
    case = Case.objects.get(conversation=conv)
    assert (case.case_type, case.team) == (disputes, back_office)


def test_another_workspaces_conversations_and_rules_are_404(acme, globex, agent, api_client):
    theirs = conversation(globex, "globex private")
    globex_owner = Membership.objects.get(workspace=globex, role=Role.OWNER)
    from rapport.inbox import rule_actions

    rule = rule_actions.create_rule(
        globex_owner, name="Theirs", conditions=[], actions=[{"type": "add_tag", "tag": "x"}]
    )
    client = api_client(agent)
    assert client.get(f"{API}/conversations/{theirs.pk}").status_code == 404
    assert (
        client.patch(
            f"{API}/conversations/{theirs.pk}",
            {"status": "closed"},
            content_type="application/json",
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{API}/conversations/{theirs.pk}/notes", {"body": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(f"{API}/routing-rules/{rule.pk}").status_code == 404
    assert client.get(f"{API}/conversations").json()["items"] == []
