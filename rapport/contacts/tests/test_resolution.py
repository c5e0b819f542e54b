"""Identity resolution against the database: deterministic links, candidates, batch dedupe."""

import pytest

from rapport.contacts import actions
from rapport.contacts.linkage import find_matches, resolve_identity
from rapport.contacts.linkage.batch import dedupe_now
from rapport.contacts.linkage.resolve import resolve_identities
from rapport.contacts.models import Contact, DedupeRun, Identity, LinkagePolicy, MatchSuggestion
from rapport.contacts.review import (
    accept_suggestion,
    pending_suggestions,
    reject_suggestion,
    start_dedupe,
)
from rapport.core.roles import Role


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


@pytest.fixture
def manager(acme, make_member):
    return make_member(acme, Role.MANAGER)


def _identity(workspace, network, handle, contact=None, external_id=None):
    return Identity.objects.create(
        workspace=workspace,
        network=network,
        external_id=external_id or f"{network}-{handle}-{Identity.objects.count()}",
        handle=handle,
        contact=contact,
    )


def test_an_email_identity_links_to_the_contact_with_that_address(acme, agent):
    maya = actions.create_contact(agent, name="Maya Chen", email="maya.chen@gmail.com")
    incoming = _identity(acme, "email", "Maya.Chen+bank@googlemail.com")
    assert resolve_identity(incoming) == maya
    incoming.refresh_from_db()
    assert incoming.contact == maya


def test_a_phone_identity_links_by_its_e164_number(acme, agent):
    sam = actions.create_contact(agent, name="Sam Okafor", phone="+44 1632 960961")
    incoming = _identity(acme, "whatsapp", "01632 960961")
    assert resolve_identity(incoming) == sam


def test_the_same_handle_on_the_same_network_links(acme, agent):
    priya = actions.create_contact(agent, name="Priya Nair")
    _identity(acme, "mastodon", "priya", contact=priya)
    again = _identity(acme, "mastodon", "Priya")  # a new account id, the same handle
    elsewhere = _identity(acme, "bluesky", "priya")  # another network says nothing
    linked = resolve_identities(acme.pk, [again.pk, elsewhere.pk])
    assert linked == {again.pk: priya.pk}


def test_a_key_shared_by_two_contacts_links_nothing(acme, agent):
    actions.create_contact(agent, name="Tom Becker", phone="01632 960001")
    actions.create_contact(agent, name="Tina Becker", phone="01632 960001")
    incoming = _identity(acme, "sms", "01632 960001")
    assert resolve_identity(incoming) is None


def test_a_link_to_a_merged_contact_goes_to_the_survivor(acme, agent):
    from rapport.contacts.merge import merge_contacts

    keep = actions.create_contact(agent, name="Leo Martins")
    gone = actions.create_contact(agent, name="Leo Martins", email="leo@example.com")
    merge_contacts(agent, keep, gone)
    Contact.objects.filter(pk=keep.pk).update(email_key="")  # only the merged one has it
    incoming = _identity(acme, "email", "leo@example.com")
    assert resolve_identity(incoming) == keep


def test_resolution_stays_in_its_workspace(acme, globex, agent, make_member):
    actions.create_contact(make_member(globex, Role.ADMIN), name="Nora", email="nora@example.com")
    incoming = _identity(acme, "email", "nora@example.com")
    assert resolve_identity(incoming) is None


def test_find_matches_scores_candidates_and_explains(agent, acme, globex, make_member):
    robert = actions.create_contact(
        agent, first_name="Robert", last_name="Okafor", birth_date="1979-06-02", city="Leeds"
    )
    bob = actions.create_contact(
        agent, first_name="Bob", last_name="Okafor", birth_date="1979-06-02", city="Leeds"
    )
    actions.create_contact(agent, first_name="Grace", last_name="Okafor", birth_date="1950-01-09")
    actions.create_contact(
        make_member(globex, Role.ADMIN),
        first_name="Robert",
        last_name="Okafor",
        birth_date="1979-06-02",
        city="Leeds",
    )
    found = find_matches(robert)
    assert [c.contact for c in found] == [bob]
    levels = {e["field"]: e["level"] for e in found[0].score.explanation}
    assert levels["first_name"] == "nickname"


def _twins(agent):
    a = actions.create_contact(
        agent, first_name="Ingrid", last_name="Sorensen", birth_date="1972-11-30", city="Oslo"
    )
    b = actions.create_contact(
        agent, first_name="Ingrid", last_name="Sorenson", birth_date="1972-11-30", city="Oslo"
    )
    return a, b


def test_batch_dedupe_suggests_pairs_in_order(agent, acme):
    a, b = _twins(agent)
    actions.create_contact(agent, first_name="Ivan", last_name="Sorensen", birth_date="1990-01-01")
    run = dedupe_now(acme.pk)
    assert run.state == DedupeRun.State.DONE
    assert run.suggested_count == 1
    assert run.scored_pairs == run.total_pairs >= 1
    suggestion = MatchSuggestion.objects.get()
    assert (suggestion.contact_id, suggestion.other_id) == (a.pk, b.pk)
    assert suggestion.state == "pending"
    assert suggestion.explanation
    assert not Contact.objects.filter(merged_into__isnull=False).exists()


def test_not_the_same_person_is_remembered(agent, acme):
    _twins(agent)
    dedupe_now(acme.pk)
    reject_suggestion(agent, MatchSuggestion.objects.get())
    run = dedupe_now(acme.pk)
    assert run.suggested_count == 0
    assert MatchSuggestion.objects.get().state == "not_same"
    assert not pending_suggestions(agent).exists()


def test_automatic_merges_only_when_the_policy_allows(agent, acme):
    a, b = _twins(agent)
    dedupe_now(acme.pk)
    assert not Contact.objects.filter(merged_into__isnull=False).exists()
    LinkagePolicy.objects.create(workspace=acme, auto_merge=True, merge_threshold=0.9)
    run = dedupe_now(acme.pk)
    assert run.merged_count == 1
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    assert MatchSuggestion.objects.get().state == "merged"


def test_high_merge_threshold_keeps_pairs_for_review(agent, acme):
    _twins(agent)
    LinkagePolicy.objects.create(workspace=acme, auto_merge=True, merge_threshold=1.0)
    run = dedupe_now(acme.pk)
    assert (run.merged_count, run.suggested_count) == (0, 1)


def test_dedupe_of_some_contacts_only_pairs_them(agent, acme):
    _a, _b = _twins(agent)
    c = actions.create_contact(agent, name="Olivia Hart", email="olivia@example.com")
    d = actions.create_contact(agent, name="O. Hart", email="Olivia@example.com")
    run = dedupe_now(acme.pk, [c.pk])
    assert run.suggested_count == 1
    assert MatchSuggestion.objects.get().contact_id == c.pk
    assert d.pk > c.pk


def test_accepting_a_suggestion_merges_into_the_chosen_contact(agent, acme):
    a, b = _twins(agent)
    dedupe_now(acme.pk)
    suggestion = MatchSuggestion.objects.get()
    merge = accept_suggestion(agent, suggestion, survivor_id=b.pk)
    assert (merge.survivor_id, merge.merged_id) == (b.pk, a.pk)
    suggestion.refresh_from_db()
    assert suggestion.state == "merged"
    assert suggestion.decided_by == agent


def test_starting_a_dedupe_queues_a_task_for_managers_only(manager, agent, acme, globex):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        start_dedupe(agent)
    foreign = Contact.objects.create(workspace=globex, name="Somebody")
    with pytest.raises(ValidationError):
        start_dedupe(manager, contact_ids=[foreign.pk])
    run = start_dedupe(manager)
    assert run.state == DedupeRun.State.QUEUED
    assert run.requested_by == manager


def test_the_dedupe_task_runs_a_queued_run(
    agent, manager, settings, django_capture_on_commit_callbacks
):
    """With the immediate backend the task runs when the action commits."""
    _twins(agent)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        run = start_dedupe(manager)
    run.refresh_from_db()
    assert run.state == DedupeRun.State.DONE
    assert run.suggested_count == 1
    assert "1 to review" in run.message


def test_the_triage_step_links_a_new_author_by_a_deterministic_key(acme, agent):
    """A new email author whose address a contact has is linked as the post is triaged."""
    from datetime import UTC, datetime

    from rapport.listening.models import Post
    from rapport.triage import steps
    from rapport.triage.classifier import LexiconClassifier
    from rapport.triage.pipeline import context_for

    maya = actions.create_contact(agent, name="Maya Chen", email="maya.chen@example.com")
    post = Post(
        workspace=acme,
        network="email",
        external_id="m-1",
        text="My card was declined",
        posted_at=datetime(2026, 11, 20, tzinfo=UTC),
        author_external_id="Maya.Chen@Example.com",
        author_handle="Maya.Chen@Example.com",
    )
    ctx = context_for(acme.pk, LexiconClassifier())
    step = steps.ResolveIdentity()
    step.prepare([post], ctx)
    step(post, ctx)
    assert post.identity_id is not None
    assert Identity.objects.get(pk=post.identity_id).contact == maya


def test_an_import_of_contacts_is_deduplicated_in_the_background(
    acme, agent, manager, run_import, immediate_tasks, tmp_path, django_capture_on_commit_callbacks
):
    """The duplicates an import brings in reach the review queue without anyone asking."""
    actions.create_contact(
        agent, first_name="Ingrid", last_name="Sorensen", birth_date="1972-11-30", city="Oslo"
    )
    path = tmp_path / "Contact.csv"
    path.write_text(
        "Id,FirstName,LastName,Birthdate,MailingCity\n"
        "003A,Ingrid,Sorenson,1972-11-30,Oslo\n"
        "003B,Tom,Becker,1980-02-03,Leeds\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(path, "salesforce-contacts")
    assert job.created_count == 2
    run = DedupeRun.objects.get()
    assert run.state == DedupeRun.State.DONE
    assert len(run.contact_ids) == 2
    suggestion = MatchSuggestion.objects.get()
    assert {suggestion.contact.last_name, suggestion.other.last_name} == {"Sorensen", "Sorenson"}
