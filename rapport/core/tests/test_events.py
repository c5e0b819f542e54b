"""The seam between domains: events after the commit, hooks inside the transaction, a catalogue."""

import ast
import logging
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from rapport.core import catalogue, events, hooks
from rapport.core.models import Team

TEST_EVENT = events.EventType(
    "test_thing.happened",
    "A test thing happened (declared by the seam's own tests).",
    about="core.team",
    data={"count": int, "note": str | None, "others": list},
    declared_in=__name__,
)
TEST_HOOK = hooks.HookPoint(
    "test_thing.saving", "A test thing is being saved.", {"team": "the Team"}, __name__
)


@pytest.fixture(autouse=True)
def declared():
    """The test event and hook are in the catalogue only while a test of this module runs."""
    events.CATALOGUE[TEST_EVENT.name] = TEST_EVENT
    hooks.POINTS[TEST_HOOK.verb] = TEST_HOOK
    yield
    del events.CATALOGUE[TEST_EVENT.name]
    del hooks.POINTS[TEST_HOOK.verb]
    events.LISTENERS.pop(TEST_EVENT.name, None)
    hooks.HOOKS.pop(TEST_HOOK.verb, None)


@pytest.fixture
def heard():
    got: list[events.Event] = []
    listener = events.Listener(TEST_EVENT.name, got.append, queued=False)
    events.LISTENERS.setdefault(TEST_EVENT.name, []).append(listener)
    return got


def test_an_event_is_heard_after_the_commit_with_its_typed_payload(acme, owner, heard):
    with transaction.atomic():
        events.emit(TEST_EVENT, acme.pk, actor=owner, object_id=7, count=2, note=None, others=[1])
        assert heard == []  # not before the commit
    (event,) = heard
    assert (event.name, event.workspace_id, event.actor_id, event.object_id) == (
        "test_thing.happened",
        acme.pk,
        owner.pk,
        7,
    )
    assert event.data == {"count": 2, "note": None, "others": [1]}
    assert events.Event.from_json(event.as_json()) == event


def test_a_rolled_back_write_tells_nobody(acme, heard):
    def failing_write():
        with transaction.atomic():
            events.emit(TEST_EVENT, acme.pk, count=1)
            raise RuntimeError("the write failed")

    with pytest.raises(RuntimeError):
        failing_write()
    assert heard == []


def test_an_undeclared_event_or_an_undeclared_key_is_refused(acme):
    with pytest.raises(events.UndeclaredEvent, match="not declared"):
        events.emit("test_thing.vanished", acme.pk)
    with pytest.raises(TypeError, match="declares no 'colour'"):
        events.emit(TEST_EVENT, acme.pk, colour="red")
    with pytest.raises(TypeError, match="count must be"):
        events.emit(TEST_EVENT, acme.pk, count="two")
    with pytest.raises(TypeError, match="others must be"):
        events.emit(TEST_EVENT, acme.pk, others=[{"not": "a scalar"}])


def test_a_failing_listener_is_logged_and_the_write_stands(acme, caplog, monkeypatch):
    def broken(event):
        raise ValueError("listener bug")

    monkeypatch.setattr(events, "raise_errors", False)
    events.listen(TEST_EVENT.name)(broken)
    with caplog.at_level(logging.ERROR), transaction.atomic():
        team = Team.objects.create(workspace=acme, name="Kept")
        events.emit(TEST_EVENT, acme.pk, object_id=team.pk)
    assert Team.objects.filter(pk=team.pk).exists()
    assert "broken failed on test_thing.happened" in caplog.text


def test_a_queued_listener_runs_in_a_task_unless_inline(acme):
    got: list[events.Event] = []

    def slow(event):
        got.append(event)

    events.listen(TEST_EVENT.name, queued=True)(slow)
    database_queue = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database_queue), events.inline(False), transaction.atomic():
        events.emit(TEST_EVENT, acme.pk, ids=[3, 4])
    assert got == []
    queued = DBTaskResult.objects.get(task_path="rapport.core.tasks.hear_event")
    events.run_queued(*queued.args_kwargs["args"])  # what the worker does with it
    assert [e.ids for e in got] == [(3, 4)]
    with events.inline(), transaction.atomic():
        events.emit(TEST_EVENT, acme.pk, ids=[5])
    assert [e.ids for e in got] == [(3, 4), (5,)]


def test_a_hook_runs_inside_the_write_and_can_undo_it(acme):
    def refuse(team):
        if team.name == "Refused":
            raise ValueError("not this one")

    hooks.on(TEST_HOOK.verb)(refuse)

    def save(name: str) -> None:
        with transaction.atomic():
            hooks.run(TEST_HOOK, team=Team.objects.create(workspace=acme, name=name))

    save("Kept")
    with pytest.raises(ValueError, match="not this one"):
        save("Refused")
    assert list(Team.objects.filter(workspace=acme).values_list("name", flat=True)) == ["Kept"]


def test_a_hook_needs_its_declared_arguments_and_a_transaction(acme):
    with pytest.raises(hooks.UndeclaredHook):
        hooks.run("test_thing.unknown", team=None)
    with pytest.raises(TypeError, match="takes team"):
        hooks.run(TEST_HOOK, case=None)


@pytest.mark.django_db(transaction=True)
def test_a_hook_outside_a_transaction_is_an_error():
    with pytest.raises(RuntimeError, match="inside the write's transaction"):
        hooks.run(TEST_HOOK, team=None)


# -- the catalogue ------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _names_given(calls: set[str]) -> list[tuple[str, str]]:
    """(name, where) of each event or hook named by a literal in a call of `calls` in rapport/.

    A name given as a constant (`emit(CASE_RESOLVED, ...)`) is declared by construction: the
    constant is what `declare` returned.
    """
    found = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if called in calls and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, f"{path.relative_to(ROOT.parent)}:{node.lineno}"))
    return found


def test_every_event_emitted_or_heard_is_in_the_catalogue():
    missing = [
        f"{name} ({where})"
        for name, where in _names_given({"emit", "listen"})
        if name not in events.CATALOGUE
    ]
    assert missing == [], "emitted or heard, never declared: " + ", ".join(missing)


def test_every_hook_run_or_registered_is_declared():
    missing = [
        f"{name} ({where})"
        for name, where in _names_given({"run", "on"})
        if "." in name and name not in hooks.POINTS
    ]
    assert missing == [], "hooks run or registered, never declared: " + ", ".join(missing)


def test_the_committed_catalogue_is_the_one_the_code_writes():
    del events.CATALOGUE[TEST_EVENT.name], hooks.POINTS[TEST_HOOK.verb]
    try:
        assert catalogue.catalogue_file().read_text() == catalogue.render(), (
            "docs/events.md is out of date: run `make events`"
        )
    finally:
        events.CATALOGUE[TEST_EVENT.name], hooks.POINTS[TEST_HOOK.verb] = TEST_EVENT, TEST_HOOK
