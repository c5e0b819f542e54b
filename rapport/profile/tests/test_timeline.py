"""The timeline: entries from other domains' writes, posts of linked identities, the backfill,
and its keyset pages."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.approvals import actions as approvals
from rapport.cases import actions as cases
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Case
from rapport.connectors.base import Author, Batch, NormalisedPost
from rapport.contacts import actions as contacts
from rapport.contacts import normalize
from rapport.contacts.linkage.resolve import resolve_identities
from rapport.contacts.models import Identity
from rapport.core import events
from rapport.engagement import actions as engagement
from rapport.engagement import outbox
from rapport.engagement.models import EngagementPolicy
from rapport.engagement.tests.factories import make_post
from rapport.inbox import actions as inbox_actions
from rapport.inbox.tests import factories as inbox
from rapport.listening.ingest import receive
from rapport.profile import timeline
from rapport.profile.models import TimelineEntry
from rapport.profile.pages import timeline_page
from rapport.profile.tests import factories as f


def titles(contact):
    return [e.title for e in TimelineEntry.objects.filter(contact=contact)]


def test_add_entry_is_idempotent_per_ref_and_goes_to_the_merged_survivor(acme):
    survivor = f.contact(acme, "Jonathan Smith")
    merged = f.contact(acme, "Jon Smyth", merged_into=survivor)
    at = timezone.now()
    first = timeline.add_entry(merged, occurred_at=at, kind="note", title="Met", ref="x.y:1")
    again = timeline.add_entry(merged, occurred_at=at, kind="note", title="Met", ref="x.y:1")
    assert first.pk == again.pk
    assert first.contact_id == survivor.pk
    long = timeline.add_entry(survivor, occurred_at=at, kind="note", title="x" * 500)
    assert len(long.title) == 200
    assert long.title.endswith("…")


def test_cases_opened_and_resolved_join_the_customers_timeline(
    acme, owner, django_capture_on_commit_callbacks
):
    customer = f.contact(acme)
    with django_capture_on_commit_callbacks(execute=True):
        case = cases.create_case(owner, subject="Mortgage payment taken twice", customer=customer)
    assert titles(customer) == [f"Case #{case.pk} opened: Mortgage payment taken twice"]
    with django_capture_on_commit_callbacks(execute=True):
        cases.transition(owner, case, to="open")
        cases.transition(owner, case, to="resolved")
    assert f"Case #{case.pk} resolved: Mortgage payment taken twice" in titles(customer)
    assert TimelineEntry.objects.filter(contact=customer, kind="case").count() == 2


def test_a_case_linked_to_its_customer_later_brings_its_entries(acme, owner):
    customer = f.contact(acme)
    case = cases.create_case(owner, subject="Card blocked abroad")
    assert titles(customer) == []
    cases.update_case(owner, case, customer=customer)
    assert titles(customer) == [f"Case #{case.pk} opened: Card blocked abroad"]


def test_approvals_on_a_customers_case_join_their_timeline_asked_and_decided(acme, owner, manager):
    customer = f.contact(acme)
    case = cases.create_case(owner, subject="Fee refund", customer=customer)
    approval = request_case_approval(owner, case, approver=manager, amount=35)
    assert f"Approval requested: {approval.summary}" in titles(customer)
    approvals.decide(manager, approval, decision="approve")
    assert f"Approval approved: {approval.summary}" in titles(customer)
    assert TimelineEntry.objects.filter(contact=customer, kind="approval").count() == 2


def test_a_known_customers_resolved_conversation_joins_their_timeline(acme, owner):
    customer = f.contact(acme)
    conv = inbox.conversation(acme, "Where is my refund?", author="jsmith")
    Identity.objects.filter(pk=conv.identity_id).update(contact=customer)
    stranger = inbox.conversation(acme, "Who are you?", author="nobody")
    inbox_actions.set_status(owner, conv, status="open")
    assert titles(customer) == []  # only resolving puts it there
    inbox_actions.set_status(owner, conv, status="resolved")
    inbox_actions.set_status(owner, stranger, status="resolved")
    assert titles(customer) == ["Conversation resolved: Where is my refund?"]
    assert TimelineEntry.objects.count() == 1


def test_a_logged_call_appears_once(acme, agent, django_capture_on_commit_callbacks):
    customer = f.contact(acme)
    with django_capture_on_commit_callbacks(execute=True):
        contacts.log_interaction(
            agent, customer, kind="call", subject="Asked about overdraft", direction="inbound"
        )
    entries = list(TimelineEntry.objects.filter(contact=customer))
    assert len(entries) == 1
    assert entries[0].kind == "call"
    assert "Asked about overdraft" in entries[0].title


def test_a_reply_to_a_known_customer_joins_their_timeline_once_published(acme, owner):
    customer = f.contact(acme)
    dana = Identity.objects.create(
        workspace=acme, network="mastodon", external_id="id-dana", handle="dana", contact=customer
    )
    EngagementPolicy.objects.create(workspace=acme, record_only=True, tone_check=False)
    reply = engagement.send_reply(
        owner, make_post(acme, identity=dana, source=None), text="Refunded, Dana."
    )
    assert titles(customer) == []  # sent is not published
    outbox.publish(reply.pk)
    name = owner.user.display_name
    assert titles(customer) == [f"{name} would have replied (record-only) on mastodon"]
    stranger = engagement.send_reply(owner, make_post(acme, source=None), text="Thanks!")
    outbox.publish(stranger.pk)
    assert TimelineEntry.objects.filter(kind="reply").count() == 1


def test_posts_of_a_linked_identity_join_the_timeline_once_triaged(acme):
    customer = f.contact(acme)
    Identity.objects.create(
        workspace=acme, network="mastodon", external_id="77", handle="jsmith", contact=customer
    )

    def by(author_id: str, external_id: str, text: str) -> NormalisedPost:
        author = Author(external_id=author_id, handle=f"h{author_id}")
        return NormalisedPost(
            network="mastodon",
            external_id=external_id,
            text=text,
            author=author,
            created_at=timezone.now(),
        )

    batch = Batch(posts=[by("77", "1", "Card declined at the till, again"), by("5", "2", "Nice")])
    receive(acme, batch)
    receive(acme, batch)  # the same batch again adds nothing
    entries = list(TimelineEntry.objects.filter(contact=customer))
    assert [(e.kind, e.summary) for e in entries] == [("post", "Card declined at the till, again")]
    assert TimelineEntry.objects.count() == 1


def test_a_post_its_author_deleted_leaves_the_timeline(acme):
    customer = f.contact(acme)
    Identity.objects.create(
        workspace=acme, network="mastodon", external_id="77", handle="jsmith", contact=customer
    )
    said = NormalisedPost(
        network="mastodon",
        external_id="1",
        text="Card declined at the till, again",
        author=Author(external_id="77", handle="jsmith"),
        created_at=timezone.now(),
    )
    receive(acme, Batch(posts=[said]))
    assert TimelineEntry.objects.filter(contact=customer, kind="post").count() == 1
    said.deleted, said.text = True, ""
    receive(acme, Batch(posts=[said]))
    assert not TimelineEntry.objects.filter(contact=customer, kind="post").exists()


def test_backfill_brings_posts_conversations_cases_orders_and_calls(acme, agent, owner):
    customer = f.contact(acme)
    post = inbox.post(acme, "Where is my refund?", author="jsmith")
    inbox.arrive(acme, post)
    f.link(post, customer)
    cases.create_case(owner, subject="Refund missing", customer=customer)
    f.order(customer, f.product(acme, "Home insurance"), total="240.00")
    contacts.log_interaction(agent, customer, kind="email", subject="Sent the refund form")
    TimelineEntry.objects.filter(contact=customer).delete()
    added = timeline.backfill(customer)
    kinds = sorted(TimelineEntry.objects.filter(contact=customer).values_list("kind", flat=True))
    assert kinds == ["case", "conversation", "email", "order", "post"]
    assert added == 5
    assert timeline.backfill(customer) == 0  # idempotent
    order = TimelineEntry.objects.get(contact=customer, kind="order")
    assert order.title == "Bought Home insurance: GBP 240.00"


def test_linking_an_identity_brings_its_posts(acme):
    address = "j.smith@example.com"
    customer = f.contact(acme, email=address, email_key=normalize.email_key(address))
    post = inbox.post(acme, "Branch closed again", author=address, network="email")
    identity = Identity.objects.get(posts=post)
    assert resolve_identities(acme.pk, [identity.pk]) == {identity.pk: customer.pk}
    assert titles(customer) == [f"Post by @{address} on email"]


def test_timeline_pages_by_keyset_and_filters_by_kind(acme):
    customer = f.contact(acme)
    now = timezone.now()
    for i in range(45):
        timeline.add_entry(
            customer,
            occurred_at=now - timedelta(hours=i // 2),  # pairs share a time: the id breaks ties
            kind="post" if i % 3 else "order",
            title=f"entry {i}",
        )
    seen, cursor = [], ""
    while True:
        page = timeline_page(customer, cursor=cursor, limit=20)
        seen += [e.pk for e in page.entries]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = list(
        TimelineEntry.objects.filter(contact=customer)
        .order_by("-occurred_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected
    assert len(seen) == 45
    orders = timeline_page(customer, kind="order", limit=100)
    assert len(orders.entries) == 15
    assert {e.kind for e in orders.entries} == {"order"}
    with pytest.raises(ValidationError):
        timeline_page(customer, cursor="not-a-cursor")
    with pytest.raises(ValidationError):
        timeline_page(customer, kind="telegram")


def test_a_timeline_failure_never_breaks_the_write(acme, owner, monkeypatch):
    customer = f.contact(acme)

    def broken(case: object) -> list[TimelineEntry]:
        raise ZeroDivisionError

    monkeypatch.setattr(timeline, "case_entries", broken)
    monkeypatch.setattr(events, "raise_errors", False)  # as in production: logged, not raised
    case = cases.create_case(owner, subject="Still opened", customer=customer)
    assert Case.objects.filter(pk=case.pk).exists()
    assert not TimelineEntry.objects.filter(contact=customer).exists()


def test_a_case_opened_is_on_the_timeline_with_the_opening_not_after_it(acme, owner):
    customer = f.contact(acme)
    with transaction.atomic():  # the opening's transaction has not committed yet
        case = cases.create_case(owner, subject="Card refused", customer=customer)
        [entry] = TimelineEntry.objects.filter(contact=customer)
    assert entry.title == f"Case #{case.pk} opened: Card refused"
    try:
        with transaction.atomic():
            cases.create_case(owner, subject="Never opened", customer=customer)
            raise RuntimeError  # the opening rolls back: so does its entry
    except RuntimeError:
        pass
    assert TimelineEntry.objects.filter(contact=customer).count() == 1
