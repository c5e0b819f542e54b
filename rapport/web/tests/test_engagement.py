"""The reply composer, its live check, the approvals page, the outbox, canned responses and the
policy settings: what a member sees, and that another workspace's things are 404."""

import pytest

from rapport.approvals.models import Approval
from rapport.core.roles import Role
from rapport.engagement import actions, outbox
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.engagement.tests.factories import make_post


@pytest.fixture
def policy(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme,
        forbidden_phrases=["guaranteed returns"],
        sensitive_topics=["lawsuit"],
        disclosure="I work at Acme Bank.",
        tone_check=False,
        record_only=True,
    )


@pytest.fixture
def sam(acme, make_member):
    return make_member(acme, Role.AGENT, "sam@acme.example")


@pytest.fixture
def post(policy):
    return make_post(policy.workspace, text="<script>alert(1)</script> my card was charged twice")


def test_the_composer_shows_the_post_escaped_and_the_canned_responses(signed_in, sam, owner, post):
    apology = actions.create_canned(owner, name="Apology", text="Sorry {{ contact.first_name }}!")
    page = signed_in(sam).get(f"/w/acme/posts/{post.pk}/reply/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert ">Apology</option>" in html
    assert 'name="seen" value="0"' in html
    fragment = signed_in(sam).get(
        f"/w/acme/posts/{post.pk}/reply/?canned={apology.pk}", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.content.decode()
    assert "Sorry Dana!</textarea>" in fragment.content.decode()


def test_the_live_check_shows_findings_and_the_count(signed_in, sam, post):
    response = signed_in(sam).post(
        f"/w/acme/posts/{post.pk}/reply/check/",
        {"text": "Your card 4111 1111 1111 1111 is fine", "visibility": "public"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "37 / 500 characters" in html
    assert "Blocks" in html
    assert "contains a card number (ending 1111) at characters 11 to 29" in html


def test_a_blocked_reply_is_refused_with_422_and_kept_in_the_form(signed_in, sam, post):
    response = signed_in(sam).post(
        f"/w/acme/posts/{post.pk}/reply/",
        {"text": "Card 4111 1111 1111 1111", "visibility": "public", "seen": "0"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "The reply cannot be sent" in html
    assert "a card number (ending 1111)" in html
    assert "Card 4111 1111 1111 1111</textarea>" in html
    assert not Reply.objects.exists()


def test_sending_queues_the_reply_and_a_second_agent_is_told(
    signed_in, sam, post, acme, make_member
):
    response = signed_in(sam).post(
        f"/w/acme/posts/{post.pk}/reply/",
        {"text": "Sorry Dana, refund on its way", "visibility": "public", "seen": "0"},
    )
    assert response.status_code == 302
    reply = Reply.objects.get()
    assert reply.status == Reply.Status.QUEUED
    priya = make_member(acme, Role.AGENT, "priya@acme.example")
    clash = signed_in(priya).post(
        f"/w/acme/posts/{post.pk}/reply/",
        {"text": "Hi Dana, looking", "visibility": "public", "seen": "0"},
    )
    assert clash.status_code == 409
    assert "sam@acme.example is already replying to this post" in clash.content.decode()
    assert Reply.objects.count() == 1


def test_an_employee_waits_then_a_manager_approves_from_the_approvals_page(
    signed_in, post, acme, make_member
):
    ravi = make_member(acme, Role.EMPLOYEE, "ravi@acme.example")
    maya = make_member(acme, Role.MANAGER, "maya@acme.example")
    signed_in(ravi).post(
        f"/w/acme/posts/{post.pk}/reply/",
        {"text": "I work at Acme Bank. Fixed Monday!", "visibility": "public", "seen": "0"},
    )
    reply = Reply.objects.get()
    assert reply.status == Reply.Status.PENDING_APPROVAL
    page = signed_in(maya).get("/w/acme/approvals/")
    html = page.content.decode()
    assert "ravi@acme.example&#x27;s reply to @dana on Mastodon" in html
    assert "Replies by an employee wait for a manager" in html
    assert "&lt;script&gt;" in html
    assert "<script>alert" not in html
    approval = Approval.objects.get()
    assert signed_in(ravi).get("/w/acme/approvals/").content.decode().count("decide-form") == 0
    done = signed_in(maya).post(
        f"/w/acme/approvals/{approval.pk}/decide/",
        {"decision": "approve", "text": "I work at Acme Bank. Fixed on Monday!", "comment": ""},
    )
    assert done.status_code == 302
    reply.refresh_from_db()
    assert (reply.status, reply.text) == ("queued", "I work at Acme Bank. Fixed on Monday!")
    again = signed_in(maya).post(
        f"/w/acme/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": "no"},
        follow=True,
    )
    assert "already approved by maya@acme.example" in again.content.decode()


def test_rejecting_without_a_reason_is_refused_on_the_page(signed_in, post, acme, make_member):
    sam = make_member(acme, Role.AGENT, "sam@acme.example")
    maya = make_member(acme, Role.MANAGER, "maya@acme.example")
    reply = actions.send_reply(sam, post, text="About the lawsuit, Dana")
    approval = Approval.objects.get(object_id=reply.pk)
    page = signed_in(maya).post(
        f"/w/acme/approvals/{approval.pk}/decide/",
        {"decision": "reject", "comment": ""},
        follow=True,
    )
    assert "Say why you reject it" in page.content.decode()
    assert Approval.objects.get().state == "pending"


def test_the_outbox_lists_replies_by_state_and_retries_failed_ones(signed_in, owner, sam, post):
    reply = actions.send_reply(sam, post, text="Sorry Dana")
    outbox.publish(reply.pk)
    page = signed_in(owner).get("/w/acme/settings/outbox/?tab=sent")
    assert "Would post:" in page.content.decode()
    Reply.objects.filter(pk=reply.pk).update(status="failed", last_error="503 from mastodon")
    failed = signed_in(owner).get("/w/acme/settings/outbox/?tab=failed").content.decode()
    assert "503 from mastodon" in failed
    assert ">Retry</button>" in failed
    signed_in(owner).post(f"/w/acme/settings/outbox/{reply.pk}/retry/")
    assert Reply.objects.get().status == "queued"
    empty = signed_in(owner).get("/w/acme/settings/outbox/?tab=failed").content.decode()
    assert "Nothing failed." in empty


def test_canned_responses_and_the_policy_are_edited_in_settings(signed_in, owner, sam, policy):
    client = signed_in(owner)
    bad = client.post("/w/acme/settings/canned/", {"name": "X", "text": "{{ user.password }}"})
    assert bad.status_code == 400
    assert "Unknown variable {{ user.password }}" in bad.content.decode()
    client.post(
        "/w/acme/settings/canned/", {"name": "Thanks", "text": "Thanks {{ contact.first_name }}!"}
    )
    assert (
        "Thanks {{ contact.first_name }}!"
        in client.get("/w/acme/settings/canned/").content.decode()
    )
    response = client.post(
        "/w/acme/settings/engagement/",
        {
            "forbidden_phrases": "guaranteed returns\nrisk-free",
            "sensitive_topics": "fraud",
            "block_card_numbers": "on",
            "disclosure": "I work at Acme Bank.",
            "designated_role": "agent",
            "approval_roles": ["employee"],
            "approver_role": "manager",
            "approval_hours": "24",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.forbidden_phrases == ["guaranteed returns", "risk-free"]
    assert (policy.block_card_numbers, policy.block_emails, policy.record_only) == (
        True,
        False,
        False,
    )
    assert signed_in(sam).post("/w/acme/settings/engagement/", {}).status_code == 403
    assert "risk-free" in signed_in(sam).get("/w/acme/settings/engagement/").content.decode()


def test_another_workspaces_posts_replies_approvals_and_canned_are_404(
    signed_in, owner, globex, make_member
):
    boss = globex.memberships.get()
    agent = make_member(globex, Role.AGENT, "gina@globex.example")
    EngagementPolicy.objects.create(workspace=globex, sensitive_topics=["lawsuit"])
    theirs = make_post(globex)
    reply = actions.send_reply(agent, theirs, text="About the lawsuit")
    approval = Approval.objects.get(object_id=reply.pk)
    canned_response = actions.create_canned(boss, name="Theirs", text="Hi")
    client = signed_in(owner)
    for path in [
        f"/w/acme/posts/{theirs.pk}/reply/",
        f"/w/acme/settings/canned/{canned_response.pk}/",
        "/w/globex/approvals/",
        "/w/globex/settings/outbox/",
    ]:
        assert client.get(path).status_code == 404, path
    for path, data in [
        (f"/w/acme/posts/{theirs.pk}/reply/", {"text": "hi"}),
        (f"/w/acme/posts/{theirs.pk}/reply/check/", {"text": "hi"}),
        (f"/w/acme/approvals/{approval.pk}/decide/", {"decision": "approve"}),
        (f"/w/acme/settings/outbox/{reply.pk}/retry/", {}),
        (f"/w/acme/replies/{reply.pk}/withdraw/", {}),
        (f"/w/acme/settings/canned/{canned_response.pk}/delete/", {}),
    ]:
        assert client.post(path, data).status_code == 404, path
    assert Approval.objects.get().state == "pending"
    assert Reply.objects.get().status == "pending_approval"
