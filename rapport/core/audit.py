"""Writing the audit trail from inside an action's transaction: who did what, before and after.

Reacting to a write is not done here: domains emit and hear events through `rapport.core.events`.
"""

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.db import models, transaction

from rapport.core.models import AuditEvent, Membership, User, Workspace

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

#: Every action registered with @action, by its verb; tests check each one writes its event.
ACTIONS: dict[str, Callable[..., Any]] = {}


def action(verb: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark a function as a domain write: it runs in one transaction and must call `record`."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        if verb in ACTIONS:
            raise ValueError(f"Two actions claim the verb {verb!r}")

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with transaction.atomic():
                return func(*args, **kwargs)

        wrapper.verb = verb  # type: ignore[attr-defined]
        ACTIONS[verb] = wrapper
        return wrapper

    return decorate


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """A JSON-safe picture of some fields of `obj`, for the before/after of an audit event."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif not isinstance(value, (str, int, float, bool, type(None), list, dict)):
            value = str(value)
        data[name] = value
    return data


def record(
    *,
    actor: User | None,
    workspace: Workspace | None,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event in the current transaction (the record of who did what; other
    domains hear what happened through `rapport.core.events`, not through this)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() must be called inside an action's transaction")
    event = AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=actor.email if actor else "system",
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )
    return event


def record_by(
    member: Membership,
    *,
    verb: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """`record` for the usual case: a member acting in their own workspace."""
    return record(
        actor=member.user,
        workspace=member.workspace,
        verb=verb,
        obj=obj,
        before=before,
        after=after,
    )
