"""Demo history written after the fact: `Clock.at(moment)` runs a step of the story as if it
happened at `moment`, and `Clock.settle()`, once the story is told, dates what the steps wrote.

Inside a step, `events.as_of(moment)` dates the events (the journal, and every read model
derived from it, such as the contribution ledger). The actions themselves run on the real clock,
seconds apart: what they compare (an approval decided in time, an SLA met, a post within a
day of its conversation's last activity) is as it would have been had the story happened at
that pace. `settle` then moves the fields in `STAMPED` that a step set (at or after its real
start, before its end) back by how far the step's moment lies behind that start, once for the
whole story, so that what happened within a step keeps its order. Fields that
may lie ahead on rows written earlier (an approval's expiry, an SLA timer's due time) move only
on rows a step made. The audit log keeps the real time: it is append-only.

Until `settle`, the rows carry real times: a conversation a step left open is recent to the
next step, whatever their moments; the story closes what it opens. `Clock.later` moves the
rest of a step on by a while (an approval decided in the hour, its request's step held
together, so that it is decided in time).
"""

import bisect
import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connections, models, router
from django.db.models import Q
from django.utils import timezone

from rapport.approvals.models import Approval
from rapport.cases.models import Activity as CaseActivity
from rapport.cases.models import Case, Comment, Task
from rapport.core import events
from rapport.core.models import Workspace
from rapport.engagement.models import Reply
from rapport.inbox.models import Activity, Conversation, ConversationPost, Note
from rapport.listening.models import Post
from rapport.notifications.models import Notification
from rapport.recognition.models import Kudos
from rapport.sla.models import SlaTimer


@dataclass(frozen=True)
class Stamped:
    model: type[models.Model]
    made: str  # the field set when a row is made
    when_set: tuple[str, ...]  # moved wherever the step set them
    on_made: tuple[str, ...] = ()  # moved only on rows the step made (they may lie ahead)
    workspace: str = "workspace"  # the lookup to the row's workspace


STAMPED = [
    Stamped(Post, "received_at", ("received_at", "posted_at", "triaged_at")),
    Stamped(
        Conversation,
        "created_at",
        ("created_at", "last_activity_at", "first_response_at", "resolved_at"),
    ),
    Stamped(ConversationPost, "added_at", ("added_at",), workspace="conversation__workspace"),
    Stamped(Activity, "created_at", ("created_at",)),
    Stamped(Note, "created_at", ("created_at",)),
    Stamped(
        Reply,
        "created_at",
        ("created_at", "queued_at", "sent_at", "updated_at"),
        on_made=("next_attempt_at",),
    ),
    Stamped(Case, "created_at", ("created_at", "updated_at", "resolved_at", "closed_at")),
    Stamped(Task, "created_at", ("created_at", "done_at")),
    Stamped(Comment, "created_at", ("created_at",)),
    Stamped(CaseActivity, "created_at", ("created_at",)),
    Stamped(
        Approval,
        "created_at",
        ("created_at", "decided_at", "reminded_at", "escalated_at"),
        on_made=("expires_at",),
    ),
    Stamped(Notification, "created_at", ("created_at", "read_at")),
    Stamped(Kudos, "created_at", ("created_at",)),
    Stamped(
        SlaTimer,
        "started_at",
        ("started_at", "paused_since", "warned_at", "breached_at", "met_at", "stopped_at"),
        on_made=("due_at", "warn_at"),
    ),
]


class Clock:
    """Steps of a workspace's story, each at its moment (in the past: never ahead of now)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._stack: contextlib.ExitStack | None = None
        #: (real start, real end, moment) of each part of each step, in the order they ran.
        self._parts: list[tuple[dt.datetime, dt.datetime, dt.datetime]] = []

    @contextlib.contextmanager
    def at(self, moment: dt.datetime) -> Iterator[None]:
        """A step of the story at `moment`."""
        if self._stack is not None:
            raise RuntimeError("A step of the story is already running")
        try:
            with contextlib.ExitStack() as stack:
                self._stack = stack
                self._begin(moment)
                yield
        finally:
            self._stack = None
            self._end()

    def later(self, **delta: float) -> None:
        """What the step does from here on happens `delta` (timedelta's arguments) after what it
        did so far."""
        if self._stack is None:
            raise RuntimeError("Clock.later is for inside a step (Clock.at)")
        self._end()
        self._begin(self._parts[-1][2] + dt.timedelta(**delta))

    def _begin(self, moment: dt.datetime) -> None:
        assert self._stack is not None
        started = timezone.now()
        if moment > started:
            raise ValueError(f"A demo step at {moment:%Y-%m-%d %H:%M} would lie in the future")
        self._parts.append((started, started, moment))
        self._stack.enter_context(events.as_of(moment))

    def _end(self) -> None:
        started, _, moment = self._parts[-1]
        self._parts[-1] = (started, timezone.now(), moment)

    def settle(self) -> None:
        """Dates what the steps wrote (see the module's docstring).

        The rows are read once and written back with one statement per model (executemany):
        hundreds of steps make a CASE expression per field too heavy for the ORM to build.
        """
        if not self._parts:
            return
        first = self._parts[0][0]
        starts = [start for start, _, _ in self._parts]

        def by(value: dt.datetime) -> dt.timedelta | None:
            """How far a value written at `value` moves (None: not written by a step)."""
            if value < first:
                return None
            start, end, moment = self._parts[bisect.bisect_right(starts, value) - 1]
            return moment - start if value < end else None

        for stamped in STAMPED:
            self._settle(stamped, first, by)
        self._parts = []

    def _settle(
        self,
        stamped: Stamped,
        first: dt.datetime,
        by: Callable[[dt.datetime], dt.timedelta | None],
    ) -> None:
        model, meta = stamped.model, stamped.model._meta
        names = list(dict.fromkeys([stamped.made, *stamped.on_made, *stamped.when_set]))
        touched = Q()
        for name in [stamped.made, *stamped.when_set]:
            touched |= Q(**{f"{name}__gte": first})
        rows = model._default_manager.filter(
            touched, **{stamped.workspace: self.workspace}
        ).values_list("pk", *names)
        connection = connections[router.db_for_write(model)]
        adapt = connection.ops.adapt_datetimefield_value
        changed = []
        for pk, *values in rows:
            was = dict(zip(names, values, strict=True))
            now = dict(was)
            made_by = by(was[stamped.made]) if was[stamped.made] else None
            for name in stamped.on_made:
                if made_by is not None and was[name] is not None:
                    now[name] = was[name] + made_by
            for name in stamped.when_set:
                moved = by(was[name]) if was[name] is not None else None
                if moved is not None:
                    now[name] = was[name] + moved
            if now != was:
                changed.append([adapt(now[name]) for name in names] + [pk])
        if not changed:
            return
        quote = connection.ops.quote_name
        columns = ", ".join(f"{quote(column(meta, n))} = %s" for n in names)
        table, pk = quote(meta.db_table), quote(str(meta.pk.column if meta.pk else "id"))
        sql = f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608 - names from the model
        with connection.cursor() as cursor:
            cursor.executemany(sql, changed)


def column(meta: "models.options.Options[models.Model]", name: str) -> str:
    field = meta.get_field(name)
    assert isinstance(field, models.Field), name  # a concrete field of the model, not a relation
    return str(field.column)
