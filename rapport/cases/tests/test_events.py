"""What the cases domain tells the others: one event per thing that happened, heard after the
commit, and the hooks that commit with the write (a hook that raises undoes it)."""

import pytest
from django.db import transaction

from rapport.cases import actions, merge
from rapport.cases.models import Case, Comment
from rapport.contacts.models import Contact
from rapport.core import hooks
from rapport.core.models import Membership, Team
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation


@pytest.fixture
def sam(acme, make_member) -> Membership:
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def tom(acme, make_member) -> Membership:
    return make_member(acme, Role.EMPLOYEE, email="tom@acme.example")


@pytest.fixture
def hooked(monkeypatch):
    """Registers a function for a hook while the test runs; `calls` lists what each heard."""
    calls: list[tuple[str, dict]] = []

    def on(verb: str, func=None) -> None:
        def record(**kwargs) -> None:
            calls.append((verb, kwargs))

        hook = hooks.Hook(verb, func or record)
        monkeypatch.setitem(hooks.HOOKS, verb, [*hooks.HOOKS.get(verb, []), hook])

    on.calls = calls  # type: ignore[attr-defined]
    return on


def named(heard, name: str):
    return [e for e in heard if e.name == name]


def test_a_case_opened_is_heard_once_after_the_commit_with_what_it_was_opened_from(
    acme, sam, heard
):
    care = Team.objects.create(workspace=acme, name="Social Care")
    alice = Contact.objects.create(workspace=acme, name="Alice")
    conv = conversation(acme, "You charged me twice!", author="payer")
    heard.clear()  # the conversation's own events
    with transaction.atomic():
        case = actions.open_case_from_conversation(sam, conv, team=care, customer=alice)
        assert heard == []  # not before the commit
    [opened] = named(heard, "case.opened")
    assert (opened.workspace_id, opened.actor_id, opened.object_id) == (acme.pk, sam.pk, case.pk)
    assert opened.data == {
        "status": "new",
        "conversation": conv.pk,
        "customer": alice.pk,
        "team": care.pk,
    }


def test_a_rolled_back_case_is_never_heard(sam, heard):
    with transaction.atomic():
        actions.create_case(sam, subject="Charged twice")
        transaction.set_rollback(True)
    assert heard == []


def test_an_update_names_the_fields_that_changed(sam, heard):
    case = actions.create_case(sam, subject="Charged twice")
    parent = actions.create_case(sam, subject="May collection run")
    heard.clear()
    actions.update_case(sam, case, priority="high", description="Twice in May", parent=parent)
    actions.update_case(sam, case, priority="high")  # nothing changed: nothing to hear
    [updated] = heard
    assert (updated.name, updated.object_id) == ("case.updated", case.pk)
    assert updated.data == {"fields": ["priority", "description", "parent"]}


def test_each_move_of_a_case_is_one_event_named_for_what_happened(owner, sam, heard):
    case = actions.create_case(sam, subject="Charged twice")
    heard.clear()
    actions.transition(sam, case, to="open")
    actions.transition(sam, case, to="waiting_customer")
    actions.transition(sam, case, to="resolved")
    actions.transition(sam, case, to="open")
    actions.transition(sam, case, to="resolved")
    actions.transition(sam, case, to="closed")
    actions.transition(owner, case, to="open")
    assert [(e.name, e.data, e.actor_id) for e in heard] == [
        ("case.status_changed", {"before": "new", "after": "open"}, sam.pk),
        ("case.status_changed", {"before": "open", "after": "waiting_customer"}, sam.pk),
        ("case.resolved", {"before": "waiting_customer", "team": None}, sam.pk),
        ("case.reopened", {"before": "resolved"}, sam.pk),
        ("case.resolved", {"before": "open", "team": None}, sam.pk),
        ("case.closed", {}, sam.pk),
        ("case.reopened", {"before": "closed"}, owner.pk),
    ]
    assert {e.object_id for e in heard} == {case.pk}


def test_comments_say_whether_the_customer_saw_them(sam, heard):
    case = actions.create_case(sam, subject="Charged twice")
    heard.clear()
    note = actions.add_comment(sam, case, body="Checked the ledger.")
    update = actions.add_comment(sam, case, body="We are on it.", public=True)
    assert [(e.name, e.object_id, e.data) for e in heard] == [
        ("case.commented", case.pk, {"comment": note.pk, "public": False, "team": None}),
        ("case.commented", case.pk, {"comment": update.pk, "public": True, "team": None}),
    ]


def test_tasks_added_given_to_someone_completed_and_reopened(sam, tom, heard):
    case = actions.create_case(sam, subject="Charged twice")
    heard.clear()
    task = actions.add_task(sam, case, title="Check the ledger", assignee=tom)
    actions.update_task(sam, task, assignee=sam)
    actions.update_task(sam, task, title="Check the May ledger")  # not worth hearing
    actions.update_task(sam, task, status="done")
    actions.update_task(sam, task, status="open")
    assert [(e.name, e.object_id, e.data) for e in heard] == [
        ("task.added", task.pk, {"case": case.pk, "assignee": tom.pk}),
        ("task.assigned", task.pk, {"case": case.pk, "assignee": sam.pk}),
        ("task.completed", task.pk, {"case": case.pk, "assignee": sam.pk, "team": None}),
        ("task.reopened", task.pk, {"case": case.pk}),
    ]


def test_a_merge_and_its_unmerge_are_heard_as_such(owner, sam, heard):
    original = actions.create_case(sam, subject="Mortgage payment taken twice")
    duplicate = actions.create_case(sam, subject="Charged twice for my mortgage")
    heard.clear()
    record = merge.merge(sam, duplicate, into=original)
    merge.unmerge(owner, duplicate)
    assert [(e.name, e.object_id, e.data) for e in heard] == [
        ("case.merged", duplicate.pk, {"into": original.pk, "merge": record.pk}),
        ("case.unmerged", duplicate.pk, {"into": original.pk, "merge": record.pk}),
    ]


def test_the_hooks_run_inside_the_write_with_what_changed(owner, sam, tom, hooked):
    for verb in (
        "case.opening",
        "case.updating",
        "case.status_changing",
        "task.completing",
        "case.commenting",
    ):
        hooked(verb)
    case = actions.create_case(sam, subject="Charged twice")
    actions.update_case(sam, case, priority="urgent")
    actions.transition(sam, case, to="open")
    task = actions.add_task(sam, case, title="Call back", assignee=tom)
    actions.update_task(tom, task, status="done")
    comment = actions.add_comment(sam, case, body="Called.", public=True)
    duplicate = actions.create_case(sam, subject="Charged twice again", owner=sam)
    merge.merge(sam, duplicate, into=case)
    merge.unmerge(owner, duplicate)
    assert hooked.calls == [
        ("case.opening", {"case": case, "actor": sam}),
        ("case.updating", {"case": case, "actor": sam, "fields": ["priority"]}),
        ("case.status_changing", {"case": case, "actor": sam, "before": "new", "after": "open"}),
        ("task.completing", {"task": task, "actor": tom}),
        ("case.commenting", {"comment": comment, "actor": sam}),
        ("case.opening", {"case": duplicate, "actor": sam}),
        (
            "case.status_changing",
            {"case": duplicate, "actor": sam, "before": "open", "after": "closed"},
        ),
        (
            "case.status_changing",
            {"case": duplicate, "actor": owner, "before": "closed", "after": "open"},
        ),
    ]


def test_a_hook_that_raises_undoes_the_write(sam, hooked, heard):
    def refuse(**_: object) -> None:
        raise RuntimeError("the timers could not follow")

    case = actions.create_case(sam, subject="Charged twice", owner=sam)
    heard.clear()
    hooked("case.opening", refuse)
    hooked("case.commenting", refuse)
    with pytest.raises(RuntimeError, match="could not follow"):
        actions.create_case(sam, subject="Charged twice again")
    with pytest.raises(RuntimeError, match="could not follow"):
        actions.add_comment(sam, case, body="We are on it.", public=True)
    assert list(Case.objects.all()) == [case]
    assert not Comment.objects.exists()
    assert heard == []
