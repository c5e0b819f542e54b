"""Replies: sent, blocked, waiting for approval, decided, published by the outbox exactly once,
and what the other domains hear of each."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.approvals import actions as approvals
from rapport.approvals.models import Approval
from rapport.connectors.base import ConnectorError, PublishedReply
from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.engagement import actions, canned, outbox
from rapport.engagement.models import EngagementPolicy, Reply
from rapport.engagement.tests.factories import make_post, make_source


@pytest.fixture
def policy(acme) -> EngagementPolicy:
    return EngagementPolicy.objects.create(
        workspace=acme,
        forbidden_phrases=["guaranteed returns"],
        sensitive_topics=["lawsuit"],
        disclosure="I work at Acme Bank.",
        tone_check=False,
    )


@pytest.fixture
def people(acme, make_member):
    return {
        "sam": make_member(acme, Role.AGENT, "sam@acme.example"),
        "priya": make_member(acme, Role.AGENT, "priya@acme.example"),
        "ravi": make_member(acme, Role.EMPLOYEE, "ravi@acme.example"),
        "maya": make_member(acme, Role.MANAGER, "maya@acme.example"),
    }


class FakeNetwork:
    """Stands in for a connector: records what it published; can fail a few times first."""

    def __init__(self, failures: int = 0) -> None:
        self.published: list[tuple[str, str]] = []
        self.failures = failures

    def publish(self, in_reply_to, text):
        if self.failures:
            self.failures -= 1
            raise ConnectorError("mastodon.example refused the reply: 503 Service Unavailable")
        self.published.append((in_reply_to.external_id, text))
        return PublishedReply(external_id=f"net-{len(self.published)}", url="https://m.example/1")


@pytest.fixture
def network(monkeypatch) -> FakeNetwork:
    fake = FakeNetwork()
    monkeypatch.setattr(outbox.sources, "build_connector", lambda source, session=None: fake)
    return fake


def test_an_agents_reply_is_queued_and_published_once(policy, people, network):
    post = make_post(policy.workspace)
    reply = actions.send_reply(people["sam"], post, text="Sorry Dana, we are refunding it now.")
    assert reply.status == Reply.Status.QUEUED
    assert outbox.publish(reply.pk) == "sent"
    assert outbox.publish(reply.pk) == "skipped"  # the task ran twice: published once
    reply.refresh_from_db()
    assert (reply.status, reply.network_id, reply.attempts) == ("sent", "net-1", 1)
    assert network.published == [(post.external_id, "Sorry Dana, we are refunding it now.")]
    assert AuditEvent.objects.filter(verb="reply.published", object_id=str(reply.pk)).count() == 1


def test_a_blocked_reply_is_refused_with_its_findings_and_nothing_is_stored(policy, people):
    post = make_post(policy.workspace)
    with pytest.raises(actions.ReplyBlocked) as refused:
        actions.send_reply(people["sam"], post, text="Card 4111 1111 1111 1111 is unblocked")
    assert [f.code for f in refused.value.findings] == ["card_number"]
    assert "The reply cannot be sent. The reply contains a card number" in refused.value.messages[0]
    assert not Reply.objects.exists()


def test_an_employees_reply_waits_for_a_manager_who_approves_it(policy, people, network):
    post = make_post(policy.workspace)
    text = "I work at Acme Bank. The app update on Monday fixes it, Dana."
    reply = actions.send_reply(people["ravi"], post, text=text)
    assert reply.status == Reply.Status.PENDING_APPROVAL
    approval = Approval.objects.get(object_id=reply.pk)
    assert (approval.approver_role, approval.requested_by) == ("manager", people["ravi"])
    assert approval.summary == "ravi@acme.example's reply to @dana on Mastodon"
    assert outbox.publish(reply.pk) == "skipped"  # not before it is approved
    with pytest.raises(PermissionDenied):
        approvals.decide(people["sam"], approval, decision="approve")
    approvals.decide(people["maya"], approval, decision="approve")
    reply.refresh_from_db()
    assert reply.status == Reply.Status.QUEUED
    assert outbox.publish(reply.pk) == "sent"
    assert network.published == [(post.external_id, text)]


def test_the_approver_may_edit_the_draft_but_not_into_a_blocked_one(policy, people, network):
    reply = actions.send_reply(
        people["sam"], make_post(policy.workspace), text="About the lawsuit: call us, Dana."
    )
    approval = Approval.objects.get(object_id=reply.pk)
    with pytest.raises(actions.ReplyBlocked, match="forbidden phrase"):
        approvals.decide(
            people["maya"], approval, decision="approve", edits={"text": "guaranteed returns!"}
        )
    assert Approval.objects.get(pk=approval.pk).state == "pending"
    approvals.decide(
        people["maya"], approval, decision="approve", edits={"text": "Please DM us, Dana."}
    )
    reply.refresh_from_db()
    assert (reply.status, reply.text) == ("queued", "Please DM us, Dana.")
    edit = AuditEvent.objects.get(verb="reply.edit_on_approval")
    assert edit.before == {"text": "About the lawsuit: call us, Dana."}


def test_a_rejected_or_expired_approval_rejects_the_reply(policy, people):
    reply = actions.send_reply(people["sam"], make_post(policy.workspace), text="The lawsuit…")
    approval = Approval.objects.get(object_id=reply.pk)
    approvals.decide(people["maya"], approval, decision="reject", comment="Legal answers this")
    reply.refresh_from_db()
    assert (reply.status, reply.last_error) == ("rejected", "Legal answers this")

    late = actions.send_reply(people["sam"], make_post(policy.workspace), text="The lawsuit…")
    Approval.objects.filter(object_id=late.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired at"):
        approvals.decide(
            people["maya"], Approval.objects.get(object_id=late.pk), decision="approve"
        )
    approvals.expire_due()
    late.refresh_from_db()
    assert late.status == Reply.Status.REJECTED


def test_two_agents_answering_one_post_the_second_is_told(policy, people, network):
    post = make_post(policy.workspace)
    seen = actions.latest_reply_id(post)
    first = actions.send_reply(people["sam"], post, text="On it, Dana!", seen_reply_id=seen)
    with pytest.raises(actions.ReplyConflict, match=r"sam@acme\.example is already replying"):
        actions.send_reply(people["priya"], post, text="Looking now, Dana", seen_reply_id=seen)
    outbox.publish(first.pk)
    with pytest.raises(
        actions.ReplyConflict, match=r"replied to this post .* ago .*“On it, Dana!”"
    ):
        actions.send_reply(people["priya"], post, text="Looking now, Dana", seen_reply_id=seen)
    # Having read it, a follow-up is fine.
    follow_up = actions.send_reply(
        people["priya"],
        post,
        text="Following up: sorted?",
        seen_reply_id=actions.latest_reply_id(post),
    )
    assert outbox.publish(follow_up.pk) == "sent"
    assert len(network.published) == 2


def test_the_outbox_retries_with_backoff_then_fails_with_the_networks_message(
    policy, people, network
):
    network.failures = 10
    reply = actions.send_reply(people["sam"], make_post(policy.workspace), text="On it, Dana!")
    now = timezone.now()
    assert outbox.publish(reply.pk, now) == "retry"
    reply.refresh_from_db()
    assert reply.status == Reply.Status.QUEUED
    assert reply.next_attempt_at == now + timedelta(seconds=30)
    assert "503 Service Unavailable" in reply.last_error
    assert outbox.publish(reply.pk, now) == "skipped"  # not due yet
    waits = [30]
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        now = reply.next_attempt_at
        outbox.publish(reply.pk, now)
        reply.refresh_from_db()
        if reply.next_attempt_at:
            waits.append(int((reply.next_attempt_at - now).total_seconds()))
    assert waits == [30, 60, 120, 240]
    assert reply.status == Reply.Status.FAILED
    assert network.published == []
    network.failures = 0
    actions.retry_reply(people["sam"], reply)
    assert outbox.publish(reply.pk) == "sent"
    assert len(network.published) == 1


def test_a_reply_stuck_in_sending_is_failed_never_resent(policy, people, network):
    reply = actions.send_reply(people["sam"], make_post(policy.workspace), text="On it, Dana!")
    Reply.objects.filter(pk=reply.pk).update(status=Reply.Status.SENDING)
    later = timezone.now() + outbox.SENDING_TIMEOUT + timedelta(seconds=1)
    assert outbox.publish_due(later) == {"stuck": 1}
    reply.refresh_from_db()
    assert reply.status == Reply.Status.FAILED
    assert "Check the network before you retry" in reply.last_error
    assert network.published == []


def test_record_only_mode_records_what_would_be_posted(policy, people, network):
    policy.record_only = True
    policy.save()
    post = make_post(policy.workspace, network="hackernews", source=None)
    reply = actions.send_reply(people["sam"], post, text="Thanks for the kind words!")
    assert outbox.publish(reply.pk) == "recorded"
    reply.refresh_from_db()
    assert (reply.status, reply.recorded_only, reply.network_id) == ("sent", True, "")
    assert outbox.would_post(reply) == (
        "Would post on Hacker News a reply to @dana: Thanks for the kind words!"
    )
    assert network.published == []


def test_posts_from_a_demo_source_are_never_posted_for_real(policy, people, network):
    demo = make_source(
        policy.workspace, name="Demo replay", connector="file", config={"demo": "replay"}
    )
    post = make_post(policy.workspace, source=demo)
    reply = actions.send_reply(people["sam"], post, text="Thanks Dana!")
    assert outbox.publish(reply.pk) == "recorded"
    assert network.published == []


def test_withdrawing_a_waiting_reply_frees_the_post(policy, people):
    post = make_post(policy.workspace)
    reply = actions.send_reply(people["sam"], post, text="The lawsuit: call us")
    with pytest.raises(PermissionDenied):
        actions.withdraw_reply(people["priya"], reply)
    actions.withdraw_reply(people["sam"], reply)
    reply.refresh_from_db()
    assert reply.status == Reply.Status.DRAFT
    assert Approval.objects.get(object_id=reply.pk).state == "withdrawn"
    actions.send_reply(people["priya"], post, text="Hi Dana, DM us please")


def test_viewers_cannot_reply_and_other_workspaces_posts_are_refused(
    policy, people, acme, globex, make_member
):
    viewer = make_member(acme, Role.VIEWER, "victor@acme.example")
    with pytest.raises(PermissionDenied, match="employee or above may reply"):
        actions.send_reply(viewer, make_post(acme), text="Hi")
    with pytest.raises(PermissionDenied, match="posts of your workspace"):
        actions.send_reply(people["sam"], make_post(globex), text="Hi")


def test_bad_input_is_named(policy, people):
    post = make_post(policy.workspace)
    with pytest.raises(ValidationError, match="Unknown visibility 'shout'"):
        actions.send_reply(people["sam"], post, text="Hi", visibility="shout")
    with pytest.raises(
        ValidationError, match="status link must be an http:// or https:// address, not javascript:"
    ):
        actions.send_reply(people["sam"], post, text="Hi", status_link="javascript:alert(1)")
    with pytest.raises(actions.ReplyBlocked, match="The reply is empty"):
        actions.send_reply(people["sam"], post, text="   ")


# What the others hear -------------------------------------------------------------------------


def told(heard) -> list[tuple[str, int | None, int | None, dict]]:
    """(name, actor, reply, data) of each reply event heard, in order."""
    return [
        (e.name, e.actor_id, e.object_id, dict(e.data))
        for e in heard
        if e.name.startswith("reply.")
    ]


def test_a_sent_reply_is_told_once_committed_then_its_publication(policy, people, network, heard):
    sam, post = people["sam"], make_post(policy.workspace)
    with transaction.atomic():
        reply = actions.send_reply(sam, post, text="Sorry Dana, we are refunding it now.")
        assert told(heard) == []  # nothing before the commit
    sent = {"post": post.pk, "network": "mastodon", "visibility": "public", "status": "queued"}
    assert told(heard) == [("reply.sent", sam.pk, reply.pk, sent)]
    outbox.publish(reply.pk)
    outbox.publish(reply.pk)  # the task ran twice: published, and told, once
    published = {
        "post": post.pk,
        "network": "mastodon",
        "visibility": "public",
        "author": sam.pk,
        "recorded_only": False,
    }
    assert told(heard)[1:] == [("reply.published", None, reply.pk, published)]


def test_a_blocked_reply_tells_nobody(policy, people, heard):
    with pytest.raises(actions.ReplyBlocked):
        actions.send_reply(people["sam"], make_post(policy.workspace), text="guaranteed returns")
    assert told(heard) == []


def test_an_approved_reply_is_told_with_whether_the_approver_edited_it(policy, people, heard):
    ravi, maya = people["ravi"], people["maya"]
    text = "I work at Acme Bank. The app update on Monday fixes it, Dana."
    reply = actions.send_reply(ravi, make_post(policy.workspace), text=text)
    plain = actions.send_reply(ravi, make_post(policy.workspace), text=text)
    approvals.decide(
        maya,
        Approval.objects.get(object_id=reply.pk),
        decision="approve",
        edits={"text": "I work at Acme Bank. DM us."},
    )
    approvals.decide(maya, Approval.objects.get(object_id=plain.pk), decision="approve")
    assert [(name, data.get("status")) for name, *_, data in told(heard)[:2]] == [
        ("reply.sent", "pending_approval"),
        ("reply.sent", "pending_approval"),
    ]
    assert told(heard)[2:] == [
        ("reply.approved", maya.pk, reply.pk, {"post": reply.post_id, "edited": True}),
        ("reply.approved", maya.pk, plain.pk, {"post": plain.post_id, "edited": False}),
    ]


def test_a_rejected_an_expired_and_a_withdrawn_reply_are_told_once_each(policy, people, heard):
    sam, maya = people["sam"], people["maya"]
    rejected, late, taken_back = (
        actions.send_reply(sam, make_post(policy.workspace), text="The lawsuit…") for _ in range(3)
    )
    approvals.decide(
        maya,
        Approval.objects.get(object_id=rejected.pk),
        decision="reject",
        comment="Legal answers this",
    )
    Approval.objects.filter(object_id=late.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    approvals.expire_due()
    actions.withdraw_reply(sam, taken_back)
    assert told(heard)[3:] == [
        ("reply.rejected", maya.pk, rejected.pk, {"post": rejected.post_id, "expired": False}),
        ("reply.rejected", None, late.pk, {"post": late.post_id, "expired": True}),
        ("reply.withdrawn", sam.pk, taken_back.pk, {"post": taken_back.post_id}),
    ]


def test_the_outbox_tells_when_it_gives_up_not_when_it_retries(policy, people, network, heard):
    network.failures = 10
    reply = actions.send_reply(people["sam"], make_post(policy.workspace), text="On it, Dana!")
    now = timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.publish(reply.pk, now)
        reply.refresh_from_db()
        now = reply.next_attempt_at or now
    stuck = actions.send_reply(people["sam"], make_post(policy.workspace), text="On it, Dana!")
    Reply.objects.filter(pk=stuck.pk).update(status=Reply.Status.SENDING, attempts=1)
    outbox.publish_due(timezone.now() + outbox.SENDING_TIMEOUT + timedelta(seconds=1))
    assert [event for event in told(heard) if event[0] != "reply.sent"] == [
        ("reply.failed", None, reply.pk, {"post": reply.post_id, "attempts": 5}),
        ("reply.failed", None, stuck.pk, {"post": stuck.post_id, "attempts": 1}),
    ]


def test_a_recorded_reply_is_told_as_recorded_only(policy, people, heard):
    policy.record_only = True
    policy.save()
    post = make_post(policy.workspace, network="hackernews", source=None)
    reply = actions.send_reply(people["sam"], post, text="Thanks for the kind words!")
    outbox.publish(reply.pk)
    [(name, _, _, data)] = told(heard)[1:]
    assert (name, data["network"], data["recorded_only"]) == ("reply.published", "hackernews", True)


# Canned responses -----------------------------------------------------------------------------


def test_canned_responses_fill_in_their_variables(policy, people, owner):
    response = actions.create_canned(
        owner,
        name="Apology",
        text="Sorry {{ contact.first_name }}! {{ agent.first_name|default:'The team' }} here. "
        "Follow it at {{ status_link }}",
    )
    sam = people["sam"]
    sam.user.full_name = "Sam Okafor"
    sam.user.save()
    post = make_post(policy.workspace, author_name="Dana Scully")
    rendered = canned.render(response.text, post, sam, status_link="https://acme.example/s/1")
    assert rendered.text == "Sorry Dana! Sam here. Follow it at https://acme.example/s/1"
    assert canned.render(response.text, post, sam).missing == ["status_link"]


def test_social_text_is_never_evaluated_as_a_template(policy, people, owner):
    response = actions.create_canned(owner, name="Hi", text="Hi {{ contact.name }}")
    post = make_post(policy.workspace, author_name="{{ agent.name }}{% load x %}<b>")
    assert canned.render(response.text, post, people["sam"]).text == (
        "Hi {{ agent.name }}{% load x %}<b>"
    )


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{% load static %}hi", "Tags such as {% … %} are not allowed"),
        ("{% if 1 %}x{% endif %}", "Tags such as {% … %} are not allowed"),
        ("{{ settings.SECRET_KEY }}", "Unknown variable {{ settings.SECRET_KEY }}"),
        ("{{ agent.user.password }}", "Unknown variable {{ agent.user.password }}"),
        ("{{ contact.name|safe }}", "The template has an error"),
        ("{{ contact.name|default:agent.name }}", "must be quoted text"),
        ("{{ unclosed", None),
        ("", "needs some text"),
    ],
)
def test_canned_templates_are_sandboxed(owner, template, problem):
    if problem is None:  # not a variable at all: plain text
        assert actions.create_canned(owner, name="Plain", text=template).text == template
        return
    with pytest.raises(ValidationError, match=problem.replace("{", r"\{").replace("|", r"\|")):
        actions.create_canned(owner, name="Bad", text=template)


def test_only_managers_manage_canned_responses(people, owner):
    with pytest.raises(PermissionDenied, match="manager or above"):
        actions.create_canned(people["sam"], name="x", text="y")
    actions.create_canned(owner, name="Thanks", text="Thanks!")
    with pytest.raises(ValidationError, match="already a canned response called 'thanks'"):
        actions.create_canned(owner, name="thanks", text="Again")


def test_policy_updates_are_validated_and_audited(owner, people):
    with pytest.raises(ValidationError, match="Unknown policy setting"):
        actions.update_policy(owner, shout=True)
    with pytest.raises(ValidationError, match="Unknown role 'boss'"):
        actions.update_policy(owner, approval_roles=["boss"])
    with pytest.raises(PermissionDenied, match="admin or above"):
        actions.update_policy(people["maya"], disclosure="x")
    policy = actions.update_policy(
        owner,
        forbidden_phrases="guaranteed returns\n\nGuaranteed Returns\nrisk-free",
        approval_roles=["employee"],
    )
    assert policy.forbidden_phrases == ["guaranteed returns", "risk-free"]
    event = AuditEvent.objects.get(verb="engagement_policy.update")
    assert event.after is not None
    assert event.after["forbidden_phrases"] == ["guaranteed returns", "risk-free"]
