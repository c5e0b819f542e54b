"""The engagement and approvals API: replies with findings (422 blocked, 409 conflicts), the
approval decision (once, never by the requester), canned responses, the policy, tenancy."""

import json
from typing import Any

import pytest
from django.test import Client

from rapport.approvals.models import Approval
from rapport.core.roles import Role
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.engagement.tests.factories import make_post


@pytest.fixture
def policy(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme, sensitive_topics=["lawsuit"], disclosure="I work at Acme Bank.",
        tone_check=False, record_only=True,
    )  # fmt: skip


@pytest.fixture
def clients(acme, api_client, make_member, policy) -> dict[str, Client]:
    return {
        role: api_client(make_member(acme, role, f"{role}@acme.example"))
        for role in (Role.AGENT, Role.EMPLOYEE, Role.MANAGER)
    } | {"other_agent": api_client(make_member(acme, Role.AGENT, "priya@acme.example"))}


def send(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_a_reply_with_a_card_number_is_422_with_its_findings(clients, policy):
    post = make_post(policy.workspace)
    response = send(clients["agent"], f"/api/v1/posts/{post.pk}/replies",
                    {"text": "Card 4111 1111 1111 1111 unblocked"})  # fmt: skip
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("The reply cannot be sent.")
    assert body["findings"][0]["code"] == "card_number"
    assert body["findings"][0]["severity"] == "block"
    assert (body["findings"][0]["start"], body["findings"][0]["end"]) == (5, 24)
    assert not Reply.objects.exists()


def test_check_says_what_the_policy_thinks_before_sending(clients, policy):
    post = make_post(policy.workspace)
    body = send(clients["agent"], f"/api/v1/posts/{post.pk}/replies/check",
                {"text": "About the lawsuit"}).json()  # fmt: skip
    assert body["needs_approval"] is True
    assert body["blocked"] is False
    assert (body["length"], body["limit"]) == (17, 500)


def test_an_employee_reply_waits_and_a_manager_decides_it_once(clients, policy):
    post = make_post(policy.workspace)
    created = send(clients["employee"], f"/api/v1/posts/{post.pk}/replies",
                   {"text": "I work at Acme Bank. Fixed Monday!", "seen_reply_id": 0})  # fmt: skip
    assert created.status_code == 201, created.json()
    reply = created.json()
    assert (reply["status"], reply["needs_approval"]) == ("pending_approval", True)
    approval_id = reply["approval_id"]

    pending = clients["manager"].get("/api/v1/approvals?state=pending").json()
    assert [a["id"] for a in pending["items"]] == [approval_id]
    assert pending["items"][0]["subject_type"] == "engagement.reply"
    assert pending["items"][0]["may_decide"] is True
    assert clients["employee"].get("/api/v1/approvals").json()["items"] == []

    own = send(clients["employee"], f"/api/v1/approvals/{approval_id}/decision",
               {"decision": "approve"})  # fmt: skip
    assert own.status_code == 403
    no_reason = send(clients["manager"], f"/api/v1/approvals/{approval_id}/decision",
                     {"decision": "reject"})  # fmt: skip
    assert no_reason.status_code == 400
    assert "Say why you reject it" in no_reason.json()["detail"]
    bad = send(clients["manager"], f"/api/v1/approvals/{approval_id}/decision",
               {"decision": "maybe"})  # fmt: skip
    assert bad.status_code == 422

    edited = {"decision": "approve", "edits": {"text": "I work at Acme Bank. Fixed!"}}
    done = send(clients["manager"], f"/api/v1/approvals/{approval_id}/decision", edited)
    assert done.status_code == 200, done.json()
    assert (done.json()["state"], done.json()["decided_by"]) == ("approved", "manager@acme.example")
    again = send(clients["manager"], f"/api/v1/approvals/{approval_id}/decision",
                 {"decision": "reject", "comment": "changed my mind"})  # fmt: skip
    assert again.status_code == 409
    assert "already approved" in again.json()["detail"]
    got = clients["employee"].get(f"/api/v1/replies/{reply['id']}").json()
    assert (got["status"], got["text"]) == ("queued", "I work at Acme Bank. Fixed!")


def test_an_expired_approval_is_409_naming_when(clients, policy):
    from datetime import timedelta

    from django.utils import timezone

    post = make_post(policy.workspace)
    reply = send(clients["agent"], f"/api/v1/posts/{post.pk}/replies",
                 {"text": "About the lawsuit, Dana"}).json()  # fmt: skip
    Approval.objects.filter(pk=reply["approval_id"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = send(clients["manager"], f"/api/v1/approvals/{reply['approval_id']}/decision",
                    {"decision": "approve"})  # fmt: skip
    assert response.status_code == 409
    assert response.json()["detail"].startswith("This approval expired at ")
    assert Approval.objects.get().state == "expired"
    assert Reply.objects.get().status == "rejected"


def test_two_agents_on_one_post_the_second_gets_409(clients, policy):
    post = make_post(policy.workspace)
    first = send(clients["agent"], f"/api/v1/posts/{post.pk}/replies", {"text": "On it!"})
    second = send(clients["other_agent"], f"/api/v1/posts/{post.pk}/replies", {"text": "Me too"})
    assert second.status_code == 409
    assert second.json()["reply_id"] == first.json()["id"]
    assert "agent@acme.example is already replying" in second.json()["detail"]


def test_replying_in_a_conversation_answers_its_latest_post(clients, policy):
    from rapport.inbox.models import Conversation, ConversationPost

    older = make_post(policy.workspace, text="first")
    latest = make_post(policy.workspace, text="second")
    conversation = Conversation.objects.create(workspace=policy.workspace, subject="Card")
    for p in (older, latest):
        ConversationPost.objects.create(conversation=conversation, post=p)
    response = send(clients["agent"], f"/api/v1/conversations/{conversation.pk}/replies",
                    {"text": "Thanks Dana"})  # fmt: skip
    assert response.status_code == 201, response.json()
    assert response.json()["post_id"] == latest.pk
    chosen = send(clients["other_agent"], f"/api/v1/conversations/{conversation.pk}/replies",
                  {"text": "Hi", "post_id": older.pk})  # fmt: skip
    assert chosen.json()["post_id"] == older.pk


def test_canned_responses_crud_and_sandbox(clients):
    manager = clients["manager"]
    made = send(manager, "/api/v1/canned-responses",
                {"name": "Thanks", "text": "Thanks {{ contact.first_name }}!"})  # fmt: skip
    assert made.status_code == 201
    bad = send(manager, "/api/v1/canned-responses", {"name": "X", "text": "{% debug %}"})
    assert bad.status_code == 400
    assert "Tags such as {% … %} are not allowed" in bad.json()["detail"]
    assert send(clients["agent"], "/api/v1/canned-responses",
                {"name": "Y", "text": "Hi"}).status_code == 403  # fmt: skip
    listed = manager.get("/api/v1/canned-responses?q=thanks").json()
    assert [c["name"] for c in listed["items"]] == ["Thanks"]
    cid = made.json()["id"]
    patched = manager.patch(f"/api/v1/canned-responses/{cid}", data=json.dumps({"name": "Ty"}),
                            content_type="application/json")  # fmt: skip
    assert patched.json()["name"] == "Ty"
    assert manager.delete(f"/api/v1/canned-responses/{cid}").status_code == 204


def test_the_policy_is_read_by_all_and_changed_by_admins(clients, acme, api_client, owner):
    assert clients["agent"].get("/api/v1/engagement-policy").json()["sensitive_topics"] == [
        "lawsuit"
    ]
    denied = clients["manager"].patch("/api/v1/engagement-policy",
                                      data=json.dumps({"disclosure": "x"}),
                                      content_type="application/json")  # fmt: skip
    assert denied.status_code == 403
    changed = api_client(owner).patch(
        "/api/v1/engagement-policy",
        data=json.dumps({"forbidden_phrases": ["guaranteed returns"], "approval_roles": []}),
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["forbidden_phrases"] == ["guaranteed returns"]
    assert changed.json()["approval_roles"] == []


def test_another_workspaces_things_are_404(clients, globex, api_client):
    from rapport.engagement import actions

    boss = globex.memberships.get()
    EngagementPolicy.objects.create(workspace=globex, sensitive_topics=["lawsuit"])
    theirs = make_post(globex)
    reply = actions.send_reply(boss, theirs, text="About the lawsuit")
    approval = Approval.objects.get(object_id=reply.pk)
    canned = actions.create_canned(boss, name="Theirs", text="Hi")
    manager = clients["manager"]
    assert send(manager, f"/api/v1/posts/{theirs.pk}/replies", {"text": "x"}).status_code == 404
    assert manager.get(f"/api/v1/approvals/{approval.pk}").status_code == 404
    assert send(manager, f"/api/v1/approvals/{approval.pk}/decision",
                {"decision": "approve"}).status_code == 404  # fmt: skip
    assert manager.get(f"/api/v1/replies/{reply.pk}").status_code == 404
    assert manager.get(f"/api/v1/canned-responses/{canned.pk}").status_code == 404
    assert manager.get("/api/v1/approvals?state=all&scope=all").json()["items"] == []
    assert Approval.objects.get().state == "pending"
