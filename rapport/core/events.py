"""Domain events: what happened in one domain, told to the others once the write has committed.

- A domain declares its events in its own `events.py`:
  `CASE_RESOLVED = declare("case.resolved", "A case was resolved.", about="cases.case")`.
- Its actions emit them inside their transaction: `emit(CASE_RESOLVED, workspace_id, actor=m,
  object_id=case.pk)`. Delivery waits for the commit; a rollback drops the event.
- Other domains listen in their `wiring.py`: `@listen("case.resolved")`. A listener runs in the
  process that committed, right after the commit, and writes in a transaction of its own; its
  error is logged, never raised into the request that made the change. `queued=True` runs it in
  a background task instead (one task per event), except under `inline()` (imports, the demo,
  a captured post, tests), where it runs in the process too: the same listener either way.

The payload is small and typed: the workspace, the member who acted (None for the machine),
the object's id or a batch's ids, and the declared scalar `data`. A listener reads what else it
needs. `docs/events.md`, the catalogue, is written from the declarations by `rapport events`;
lint fails when it is out of date, and emitting an undeclared event is an error.
"""

import contextlib
import contextvars
import dataclasses
import logging
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import UnionType
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

#: What `data` values may be: JSON scalars, or lists of them (a batch's other ids).
Scalar = str | int | float | bool | None
DataType = type | UnionType


@dataclass(frozen=True, slots=True)
class EventType:
    name: str  # "<thing>.<what happened to it>", past tense: "case.resolved"
    summary: str
    about: str  # what `object_id` / `ids` name: a model label such as "cases.case"
    data: Mapping[str, DataType]  # the extra keys every event of this type carries
    declared_in: str  # the module that declared it, for the catalogue

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class Event:
    name: str
    workspace_id: int
    actor_id: int | None = None  # the Membership that acted; None when the machine did
    object_id: int | None = None  # the one thing it happened to
    ids: tuple[int, ...] = ()  # or the many (a batch of posts)
    data: Mapping[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=timezone.now)
    #: Journalled events (those a replayable listener hears): the journal row's id, and the
    #: teams the actor was in when it happened (what a replay cannot read from today's tables).
    seq: int | None = None
    actor_teams: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "workspace_id": self.workspace_id,
            "actor_id": self.actor_id,
            "object_id": self.object_id,
            "ids": list(self.ids),
            "data": dict(self.data),
            "at": self.at.isoformat(),
            "seq": self.seq,
            "actor_teams": list(self.actor_teams),
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> "Event":
        return cls(
            name=value["name"],
            workspace_id=value["workspace_id"],
            actor_id=value["actor_id"],
            object_id=value["object_id"],
            ids=tuple(value["ids"]),
            data=value["data"],
            at=datetime.fromisoformat(value["at"]),
            seq=value.get("seq"),
            actor_teams=tuple(value.get("actor_teams", ())),
        )


@dataclass(frozen=True, slots=True)
class Listener:
    event: str
    func: Callable[[Event], None]
    queued: bool
    replayable: bool = False

    @property
    def path(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


class UndeclaredEvent(LookupError):
    pass


CATALOGUE: dict[str, EventType] = {}
LISTENERS: dict[str, list[Listener]] = {}
#: Events a replayable listener hears: each is kept in the journal (`core.JournalEntry`).
JOURNALLED: set[str] = set()

_inline: contextvars.ContextVar[bool] = contextvars.ContextVar("events_inline", default=False)
_as_of: contextvars.ContextVar[datetime | None] = contextvars.ContextVar(
    "events_as_of", default=None
)
#: Tests set this: a listener's error fails the test instead of being logged.
raise_errors = False


def declare(
    name: str, summary: str, *, about: str, data: Mapping[str, DataType] | None = None
) -> EventType:
    """Adds an event type to the catalogue (once per name; a second, different one is an error)."""
    caller = sys._getframe(1).f_globals.get("__name__", "")
    event_type = EventType(name, summary, about, dict(data or {}), caller)
    known = CATALOGUE.get(name)
    if known is not None and known != event_type:
        raise ValueError(f"Event {name!r} is already declared in {known.declared_in}")
    CATALOGUE[name] = event_type
    return event_type


def event_type(name: str | EventType) -> EventType:
    key = str(name)
    try:
        return CATALOGUE[key]
    except KeyError:
        raise UndeclaredEvent(
            f"Event {key!r} is not declared; declare it in its domain's events.py"
        ) from None


def _check_data(declared: EventType, data: Mapping[str, Any]) -> None:
    for key, value in data.items():
        expected = declared.data.get(key)
        if expected is None:
            known = ", ".join(declared.data) or "no data"
            raise TypeError(f"Event {declared.name!r} declares no {key!r} (it has: {known})")
        if expected in (list, tuple):
            ok = isinstance(value, list | tuple) and all(isinstance(v, Scalar) for v in value)
        else:
            ok = isinstance(value, expected) and isinstance(value, Scalar)
        if not ok:
            raise TypeError(f"Event {declared.name!r}: {key} must be {expected}, not {value!r}")


def emit(
    name: str | EventType,
    workspace_id: int,
    *,
    actor: Any = None,
    object_id: int | None = None,
    ids: Any = (),
    **data: Any,
) -> Event:
    """Tells the listeners of `name` what happened, once the current transaction commits.

    `actor` is the Membership who acted (or its id), None for the machine. Outside a
    transaction the listeners hear at once.
    """
    declared = event_type(name)
    _check_data(declared, data)
    actor_id = actor if isinstance(actor, int) or actor is None else actor.pk
    event = Event(
        name=declared.name,
        workspace_id=int(workspace_id),
        actor_id=actor_id,
        object_id=object_id,
        ids=tuple(int(i) for i in ids),
        data=data,
        at=_as_of.get() or timezone.now(),
    )
    if declared.name in JOURNALLED:
        event = journal(event)
    queued = [lst for lst in LISTENERS.get(declared.name, ()) if lst.queued]
    if not queued or _inline.get():
        transaction.on_commit(lambda: deliver(event))
    elif _database_queue():
        # The database queue's task rows commit with the write itself: a worker killed between
        # the commit and an enqueue after it would lose the event (and the work it starts).
        queue_listeners(event, queued)
        transaction.on_commit(lambda: deliver(event, queued=False))
    else:
        # Another queue cannot commit with the write: a row that does stands for the tasks
        # until they are enqueued (or the sweep enqueues them, if this process dies first).
        pending = write_pending(event, queued)

        def after_commit() -> None:
            deliver(event, queued=False)
            send_pending(pending)

        transaction.on_commit(after_commit)
    return event


def journal(event: Event) -> Event:
    """Keeps `event` in the journal, in the emitting write's transaction (a rollback drops it
    too), with the actor's teams as they are now; returns it with its place in the journal."""
    from rapport.core.models import JournalEntry, team_ids

    teams = team_ids(event.actor_id) if event.actor_id is not None else ()
    row = JournalEntry.objects.create(
        workspace_id=event.workspace_id,
        name=event.name,
        actor_id=event.actor_id,
        actor_teams=list(teams),
        object_id=event.object_id,
        ids=list(event.ids),
        data=dict(event.data),
        at=event.at,
    )
    return dataclasses.replace(event, seq=row.pk, actor_teams=teams)


def replay(workspace_id: int, funcs: Iterable[Callable[[Event], None]]) -> int:
    """Gives every journalled event of the workspace, oldest first, to `funcs` (replayable
    listeners) as it was heard the first time; returns how many events were replayed."""
    from rapport.core.models import JournalEntry

    wanted = {f"{f.__module__}.{f.__qualname__}" for f in funcs}
    by_name: dict[str, list[Listener]] = {}
    for name, listeners in LISTENERS.items():
        chosen = [lst for lst in listeners if lst.path in wanted]
        if chosen:
            by_name[name] = chosen
    count = 0
    rows = JournalEntry.objects.filter(workspace_id=workspace_id, name__in=list(by_name))
    for row in rows.order_by("pk").iterator(chunk_size=2000):
        event = row.event()
        for listener in by_name[event.name]:
            listener.func(event)
        count += 1
    return count


def _database_queue() -> bool:
    from rapport.core.tasks import hear_event

    return type(hear_event.get_backend()).__module__.startswith("django_tasks_db")


def write_pending(event: Event, listeners: list[Listener]) -> list[int]:
    from rapport.core.models import PendingEvent

    rows = PendingEvent.objects.bulk_create(
        PendingEvent(listener=listener.path, event=event.as_json()) for listener in listeners
    )
    return [row.pk for row in rows]


def send_pending(ids: list[int] | None = None, older_than: datetime | None = None) -> int:
    """Enqueues pending listeners' tasks and forgets them: `ids` (after their commit), or those
    written before `older_than` (the sweep). Each is taken once, however many run this."""
    from rapport.core.models import PendingEvent
    from rapport.core.tasks import hear_event

    rows = PendingEvent.objects.select_for_update(skip_locked=True).order_by("pk")
    rows = rows.filter(pk__in=ids) if ids is not None else rows.filter(created_at__lt=older_than)
    sent = 0
    try:
        with transaction.atomic():
            taken = list(rows[:1000])
            for row in taken:
                hear_event.enqueue(row.listener, row.event)
            PendingEvent.objects.filter(pk__in=[row.pk for row in taken]).delete()
            sent = len(taken)
    except Exception:  # the queue away: the rows stay for the sweep
        if raise_errors:
            raise
        logger.exception("Could not enqueue pending listeners' tasks; the sweep will")
    return sent


def listen(
    name: str, *, queued: bool = False, replayable: bool = False
) -> Callable[[Callable[[Event], None]], Any]:
    """Registers the decorated function to hear every `name` event after its commit.

    `queued`: heavy work (a batch of posts) runs in a background task of its own.
    `replayable`: the event is journalled, so `replay` can give it to the listener again (a
    read model rebuilt from scratch); such a listener must be idempotent on `event.seq`.
    """

    def register(func: Callable[[Event], None]) -> Callable[[Event], None]:
        listener = Listener(name, func, queued, replayable)
        if replayable:
            JOURNALLED.add(name)
        known = LISTENERS.setdefault(name, [])
        if all(existing.path != listener.path for existing in known):
            known.append(listener)
        return func

    return register


@contextlib.contextmanager
def inline(enabled: bool = True) -> Iterator[None]:
    """Queued listeners run in this process while inside (imports, the demo, capture, tests)."""
    token = _inline.set(enabled)
    try:
        yield
    finally:
        _inline.reset(token)


@contextlib.contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Events emitted inside happened at `moment` (history written after the fact: the demo's
    three months, an import of past work), in the journal and for every listener."""
    token = _as_of.set(moment)
    try:
        yield
    finally:
        _as_of.reset(token)


def deliver(event: Event, *, queued: bool = True) -> None:
    """Runs or queues every listener of `event` (after the commit that made it); `queued=False`:
    the queued ones were enqueued with the write already."""
    for listener in list(LISTENERS.get(event.name, ())):
        if listener.queued and not _inline.get():
            if queued:
                queue_listeners(event, [listener])
        else:
            run(listener, event)


def queue_listeners(event: Event, listeners: list[Listener] | None = None) -> None:
    """One task per queued listener of `event` (`rapport.core.tasks.hear_event`)."""
    from rapport.core.tasks import hear_event

    if listeners is None:
        listeners = [lst for lst in LISTENERS.get(event.name, ()) if lst.queued]
    for listener in listeners:
        hear_event.enqueue(listener.path, event.as_json())


def run(listener: Listener, event: Event) -> None:
    try:
        listener.func(event)
    except Exception:
        if raise_errors:
            raise
        logger.exception("%s failed on %s %s", listener.path, event.name, event.object_id or "")


def run_queued(path: str, value: Mapping[str, Any]) -> None:
    """A queued listener's task: finds the listener by its path and gives it the event."""
    event = Event.from_json(value)
    for listener in LISTENERS.get(event.name, ()):
        if listener.path == path:
            listener.func(event)  # a failure fails the task, where the worker reports it
            return
    raise LookupError(f"No listener {path} for {event.name}")
