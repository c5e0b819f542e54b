"""Contacts' events reach the timeline: a logged interaction, imported orders and cases, a merge
and its undoing (and merges recorded before the timeline moved to this app)."""

import importlib

from django.apps import apps
from django.utils import timezone

from rapport.contacts import actions as contacts
from rapport.contacts.merge import merge_contacts, unmerge
from rapport.contacts.models import Contact, MergeRecord
from rapport.core.models import Schedule
from rapport.profile.models import TimelineEntry
from rapport.profile.pages import timeline_page
from rapport.profile.tests import factories as f


def titles(contact: Contact) -> list[str]:
    return [e.title for e in TimelineEntry.objects.filter(contact=contact)]


def test_a_logged_interaction_lands_on_the_timeline(agent):
    contact = contacts.create_contact(agent, name="Maya Chen")
    contacts.log_interaction(
        agent, contact, "call", "Mortgage question", "Asked about fixed rates", "inbound"
    )
    entry = TimelineEntry.objects.get(contact=contact)
    assert entry.kind == "call"
    assert entry.title == "Call (inbound): Mortgage question"
    assert entry.summary == "Asked about fixed rates"
    assert [e.pk for e in timeline_page(contact).entries] == [entry.pk]


def test_an_interaction_logged_on_a_merged_contact_goes_to_the_survivor(acme, agent):
    survivor = f.contact(acme, "Jonathan Smith")
    merged = f.contact(acme, "Jon Smyth", merged_into=survivor)
    contacts.log_interaction(agent, merged, "note", "Met at the branch")
    assert titles(survivor) == ["Note: Met at the branch"]


def test_imported_orders_and_cases_go_on_their_contacts_timeline(run_import):
    run_import("salesforce_Contact.csv", "salesforce-contacts")
    run_import("salesforce_Account.csv", "salesforce-accounts")
    for _ in range(2):  # a second run updates, never adds
        run_import("salesforce_Opportunity.csv", "salesforce-opportunities")
        run_import("salesforce_Case.csv", "salesforce-cases")
        run_import("orders.csv", "orders")
    maya = Contact.objects.get(last_name="Chen")
    cases = TimelineEntry.objects.filter(kind="case").order_by("occurred_at")
    assert [e.title for e in cases] == [
        "Salesforce case 00001026: Mortgage payment taken twice (Closed)",
        "Salesforce case 00001027: Wire cut-off times (New)",
    ]
    assert cases[0].contact == maya
    assert cases[0].summary == (
        "High priority · Phone — Customer reports the February payment was debited twice."
    )
    orders = TimelineEntry.objects.filter(contact=maya, kind="order").order_by("occurred_at")
    assert [e.title for e in orders] == [
        "Bought an order: GBP 245,000.00",  # an opportunity has no lines
        "Bought Premium credit card, Travel insurance: GBP 144.00",
    ]
    assert TimelineEntry.objects.filter(kind="order").count() == 5  # 2 won opportunities, 3 orders


def test_a_merge_takes_the_timeline_along_and_unmerging_brings_it_back(acme, agent, manager):
    keep, other = f.contact(acme, "Maya Chen"), f.contact(acme, "Maya C")
    contacts.log_interaction(agent, keep, "email", "Sent the new rates")
    contacts.log_interaction(agent, other, "call", "Asked about remortgaging")
    f.order(other, f.product(acme, "Home insurance"), total="240.00")
    merge = merge_contacts(agent, keep, other)
    assert sorted(titles(keep)) == ["Call: Asked about remortgaging", "Email: Sent the new rates"]
    assert titles(other) == []
    unmerge(manager, merge)
    assert titles(keep) == ["Email: Sent the new rates"]
    assert titles(other) == ["Call: Asked about remortgaging"]


def test_a_merge_recorded_before_the_timeline_moved_can_still_be_undone(acme, agent, manager):
    keep, other = f.contact(acme, "Maya Chen"), f.contact(acme, "Maya C")
    contacts.log_interaction(agent, other, "call", "Asked about remortgaging")
    merge = merge_contacts(agent, keep, other)
    # as main's code recorded it, when contacts held TimelineEntry
    moved = {k.replace("profile.", "contacts.", 1): ids for k, ids in merge.moved.items()}
    MergeRecord.objects.filter(pk=merge.pk).update(moved=moved)
    Schedule.objects.create(
        name="contacts.suggestion_rules",
        every_seconds=3 * 3600,
        task_path="rapport.contacts.tasks.refresh_suggestion_rules",
        next_run_at=timezone.now(),
    )
    migration = importlib.import_module("rapport.profile.migrations.0002_rows_that_named_contacts")
    migration.forwards(apps, None)
    merge.refresh_from_db()
    assert "profile.timelineentry.contact" in merge.moved
    assert "contacts.timelineentry.contact" not in merge.moved
    assert Schedule.objects.filter(name="profile.suggestion_rules").exists()
    unmerge(manager, merge)
    assert titles(other) == ["Call: Asked about remortgaging"]
    assert titles(keep) == []
