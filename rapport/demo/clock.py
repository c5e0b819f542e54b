"""Demo history written after the fact: `Clock.at(moment)` runs a step of the story as if it
happened at `moment`.

Inside, `events.as_of(moment)` dates the events (the journal, and every read model derived from
it, such as the contribution ledger). When the step is done, the rows it wrote or changed are
moved back by how far `moment` lies behind the real time the step started: the fields in
`STAMPED` that the step set (they are at or after that real time) are shifted by the same
amount, so what happened within the step keeps its order. Fields that may lie in the future on
rows written earlier (an approval's expiry, an SLA timer's due time) move only on rows the step
made. The audit log keeps the real time: it is append-only.

The actions read the real clock, so a step must hold what happens together: an approval asked
in one step and decided in a later one would be decided late. `Clock.later` moves the rest of a
step on by a while instead.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q, When
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
        self._segments: list[tuple[dt.datetime, dt.datetime]] = []  # (real start, moment)

    @contextlib.contextmanager
    def at(self, moment: dt.datetime) -> Iterator[None]:
        """A step of the story at `moment`."""
        with contextlib.ExitStack() as stack:
            self._stack, self._segments = stack, []
            self._begin(moment)
            yield
        self._stack = None
        for since, when in reversed(self._segments):
            self.move(since, when - since)

    def later(self, **delta: float) -> None:
        """What the step does from here on happens `delta` (timedelta's arguments) after what it
        did so far: an approval decided in the hour, its request's step held together."""
        if self._stack is None:
            raise RuntimeError("Clock.later is for inside a step (Clock.at)")
        self._begin(self._segments[-1][1] + dt.timedelta(**delta))

    def _begin(self, moment: dt.datetime) -> None:
        assert self._stack is not None
        started = timezone.now()
        if moment > started:
            raise ValueError(f"A demo step at {moment:%Y-%m-%d %H:%M} would lie in the future")
        self._segments.append((started, moment))
        self._stack.enter_context(events.as_of(moment))

    def move(self, since: dt.datetime, by: dt.timedelta) -> None:
        """Shifts by `by` what was written at or after `since` (see the module's docstring): one
        update per model. Later parts of a step move first: once moved, they lie before any
        earlier part's start."""
        for stamped in STAMPED:
            made = Q(**{f"{stamped.made}__gte": since})
            changes = {name: When(made, then=F(name) + by) for name in stamped.on_made}
            touched = made
            for name in stamped.when_set:
                changes[name] = When(Q(**{f"{name}__gte": since}), then=F(name) + by)
                touched |= Q(**{f"{name}__gte": since})
            stamped.model._default_manager.filter(
                touched, **{stamped.workspace: self.workspace}
            ).update(**{name: models.Case(when, default=F(name)) for name, when in changes.items()})
