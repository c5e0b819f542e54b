"""Merge and unmerge: nothing is lost, both contacts come back as they were, history shows it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rapport.cases.actions import create_case
from rapport.cases.models import Case
from rapport.contacts import actions
from rapport.contacts.merge import merge_contacts, relations, unmerge
from rapport.contacts.models import (
    Account,
    Consent,
    Identity,
    Interaction,
    MatchSuggestion,
    MergeRecord,
    Order,
)
from rapport.contacts.review import merge_history
from rapport.core import events
from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.profile.models import TimelineEntry


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER)


def _identity(contact, network, handle):
    return Identity.objects.create(
        workspace_id=contact.workspace_id,
        network=network,
        external_id=f"{network}-{handle}",
        handle=handle,
        contact=contact,
    )


def _person(agent, **fields):
    return actions.create_contact(agent, **fields)


@pytest.fixture
def pair(agent):
    """Maya as the CRM knows her, and as the social team logged her, each with a history."""
    crm = _person(
        agent,
        name="Maya Chen",
        email="maya@example.com",
        city="Leeds",
        tags=["vip"],
        source="salesforce",
        external_id="003A",
    )
    social = _person(
        agent,
        name="Maya Chen",
        phone="01632 960961",
        birth_date="1985-04-02",
        tags=["mortgage"],
        bio="Runner",
    )
    _identity(crm, "mastodon", "maya")
    _identity(social, "bluesky", "mayachen.bsky.social")
    _identity(social, "reddit", "maya_c")
    actions.record_consent(agent, social, "email", True, basis="consent", source="web form")
    actions.record_consent(agent, social, "email", False, source="unsubscribe link")
    actions.record_consent(agent, crm, "phone", True, basis="contract")
    actions.log_interaction(agent, social, "call", "Asked about remortgaging")
    Order.objects.create(
        workspace_id=social.workspace_id,
        contact=social,
        ordered_at=timezone.now(),
        total=Decimal("120.00"),
    )
    Account.objects.create(workspace_id=social.workspace_id, contact=social, kind="Mortgage")
    create_case(agent, subject="Payment dispute", customer=social)
    return crm, social


def _holdings(contact):
    return {
        "identities": set(Identity.objects.filter(contact=contact).values_list("pk", flat=True)),
        "consents": set(Consent.objects.filter(contact=contact).values_list("pk", flat=True)),
        "interactions": set(
            Interaction.objects.filter(contact=contact).values_list("pk", flat=True)
        ),
        "orders": set(Order.objects.filter(contact=contact).values_list("pk", flat=True)),
        "accounts": set(Account.objects.filter(contact=contact).values_list("pk", flat=True)),
        "timeline": set(TimelineEntry.objects.filter(contact=contact).values_list("pk", flat=True)),
        "cases": set(Case.objects.filter(customer=contact).values_list("pk", flat=True)),
    }


FIELDS = [
    "name",
    "email",
    "email_key",
    "phone",
    "birth_date",
    "city",
    "tags",
    "bio",
    "source",
    "external_id",
    "do_not_contact",
    "lawful_basis",
    "merged_into_id",
    "lifetime_value",
]


def _fields(contact):
    contact.refresh_from_db()
    return {f: getattr(contact, f) for f in FIELDS}


def test_merge_moves_everything_and_fills_the_survivors_gaps(agent, pair):
    crm, social = pair
    theirs = _holdings(social)
    mine = _holdings(crm)
    merge = merge_contacts(agent, crm, social)
    after = _holdings(crm)
    for what in theirs:
        assert after[what] == mine[what] | theirs[what], what
    assert _holdings(social) == {k: set() for k in theirs}
    crm.refresh_from_db()
    social.refresh_from_db()
    assert social.merged_into == crm
    assert crm.phone == "+441632960961"
    assert str(crm.birth_date) == "1985-04-02"
    assert crm.email == "maya@example.com"  # the survivor's own values win
    assert crm.tags == ["vip", "mortgage"]
    # every consent row is kept: the history of how the "no" came about included
    assert Consent.objects.filter(contact=crm, channel="email").count() == 2
    assert merge.moved["contacts.identity.contact"]
    assert merge.moved["cases.case.customer"]
    assert merge.survivor_before["phone"] == ""
    assert merge.merged_before["phone"]


def test_merge_then_unmerge_restores_both_exactly(agent, manager, pair):
    crm, social = pair
    before = {c.pk: (_fields(c), _holdings(c)) for c in pair}
    merge = merge_contacts(agent, crm, social)
    restored = unmerge(manager, merge)
    assert restored.pk == social.pk
    for contact in pair:
        assert (_fields(contact), _holdings(contact)) == before[contact.pk]
    history = list(merge_history(manager, contact=crm))
    assert [h.pk for h in history] == [merge.pk]
    assert history[0].unmerged_at
    assert history[0].unmerged_by == manager
    verbs = list(
        AuditEvent.objects.filter(object_id=str(crm.pk), verb__startswith="contact.")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs[-2:] == ["contact.merge", "contact.unmerge"]
    # undone means "not the same person": no dedupe proposes them again
    low, high = sorted((crm.pk, social.pk))
    assert MatchSuggestion.objects.get(contact_id=low, other_id=high).state == "not_same"


def test_merge_and_unmerge_tell_the_other_domains(agent, manager, pair, monkeypatch):
    crm, social = pair
    heard: list[events.Event] = []
    for name in ("contact.merged", "contact.unmerged"):
        monkeypatch.setitem(events.LISTENERS, name, [events.Listener(name, heard.append, False)])
    merge = merge_contacts(agent, crm, social)
    unmerge(manager, merge)
    assert [(e.name, e.object_id, e.actor_id, dict(e.data)) for e in heard] == [
        (
            "contact.merged",
            social.pk,
            agent.pk,
            {"into": crm.pk, "merge": merge.pk, "automatic": False},
        ),
        ("contact.unmerged", social.pk, manager.pk, {"survivor": crm.pk, "merge": merge.pk}),
    ]


def test_unmerge_keeps_what_was_added_to_the_survivor_after_the_merge(agent, manager, pair):
    crm, social = pair
    merge = merge_contacts(agent, crm, social)
    later = actions.log_interaction(agent, crm, "email", "Sent the new rates")
    unmerge(manager, merge)
    later.refresh_from_db()
    assert later.contact_id == crm.pk


def test_merge_refusals_say_why(agent, pair, globex, make_member):
    crm, social = pair
    with pytest.raises(ValidationError, match="into itself"):
        merge_contacts(agent, crm, crm)
    stranger = actions.create_contact(make_member(globex, Role.ADMIN), name="Maya Chen")
    with pytest.raises(ValidationError, match="different workspaces"):
        merge_contacts(agent, crm, stranger)
    merge_contacts(agent, crm, social)
    social.refresh_from_db()
    third = _person(agent, name="Maya C")
    with pytest.raises(ValidationError, match="already merged"):
        merge_contacts(agent, social, third)
    assert MergeRecord.objects.count() == 1


def test_roles_for_merge_and_unmerge(acme, make_member, agent, pair):
    crm, social = pair
    employee = make_member(acme, Role.EMPLOYEE)
    with pytest.raises(PermissionDenied):
        merge_contacts(employee, crm, social)
    merge = merge_contacts(agent, crm, social)
    other_agent = make_member(acme, Role.AGENT)
    with pytest.raises(PermissionDenied):
        unmerge(other_agent, merge)
    unmerge(agent, merge)  # who merged may undo it
    with pytest.raises(ValidationError, match="already undone"):
        unmerge(agent, merge)


def test_unmerge_of_another_workspaces_merge_is_refused(agent, pair, globex, make_member):
    merge = merge_contacts(agent, *pair)
    with pytest.raises(ValidationError):
        unmerge(make_member(globex, Role.OWNER), merge)


def test_every_relation_to_contact_is_moved_by_a_merge():
    moved = {(m._meta.label_lower, f) for m, f in relations()}
    assert ("cases.case", "customer") in moved
    assert ("contacts.consent", "contact") in moved
    assert ("contacts.matchsuggestion", "contact") not in moved
    assert ("contacts.contact", "merged_into") not in moved


def test_do_not_contact_from_either_side_wins(agent, manager):
    a = _person(agent, name="Sam Okafor")
    b = _person(agent, name="Sam Okafor")
    actions.record_consent(agent, b, "all", False, source="phone call")
    merge = merge_contacts(agent, a, b)
    a.refresh_from_db()
    assert a.do_not_contact
    unmerge(manager, merge)
    a.refresh_from_db()
    assert not a.do_not_contact


def test_dates_survive_the_round_trip(agent, manager):
    a = _person(agent, name="Ann Lee")
    b = _person(agent, name="Ann Lee", birth_date="1970-01-31")
    merge = merge_contacts(agent, a, b)
    unmerge(manager, merge)
    b.refresh_from_db()
    a.refresh_from_db()
    assert b.birth_date == datetime.date(1970, 1, 31)
    assert a.birth_date is None
