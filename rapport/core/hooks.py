"""In-transaction hooks: what must commit with a write, registered per verb by those who react.

The domain that owns a write declares the verb in its `events.py` (`declare_hook`) and runs it
inside the write's transaction: `hooks.run("case.opened", case=case, actor=actor)`. Every
function registered with `@hooks.on("case.opened")` (in another domain's `wiring.py`) runs there
and then, in registration order; one that raises undoes the whole write. Keep hooks for what must
be true the moment the write commits (a new case's SLA timers, a post's labels before it is
stored); everything else listens to domain events (`rapport.core.events`).
"""

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True, slots=True)
class HookPoint:
    verb: str
    summary: str
    args: Mapping[str, str]  # argument name -> what it is
    declared_in: str


@dataclass(frozen=True, slots=True)
class Hook:
    verb: str
    func: Callable[..., None]

    @property
    def path(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


POINTS: dict[str, HookPoint] = {}
HOOKS: dict[str, list[Hook]] = {}


class UndeclaredHook(LookupError):
    pass


def declare_hook(verb: str, summary: str, *, args: Mapping[str, str]) -> HookPoint:
    caller = sys._getframe(1).f_globals.get("__name__", "")
    point = HookPoint(verb, summary, dict(args), caller)
    known = POINTS.get(verb)
    if known is not None and known != point:
        raise ValueError(f"Hook {verb!r} is already declared in {known.declared_in}")
    POINTS[verb] = point
    return point


def on(verb: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Registers the decorated function to run inside every `verb` write's transaction."""

    def register(func: Callable[..., None]) -> Callable[..., None]:
        hook = Hook(verb, func)
        known = HOOKS.setdefault(verb, [])
        if all(existing.path != hook.path for existing in known):
            known.append(hook)
        return func

    return register


def run(verb: str | HookPoint, **kwargs: Any) -> None:
    """Runs the hooks registered for `verb` here, inside the caller's transaction."""
    key = verb.verb if isinstance(verb, HookPoint) else verb
    point = POINTS.get(key)
    if point is None:
        raise UndeclaredHook(f"Hook {key!r} is not declared; declare it in its domain's events.py")
    if set(kwargs) != set(point.args):
        raise TypeError(f"Hook {key!r} takes {', '.join(point.args)}, not {', '.join(kwargs)}")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"Hook {key!r} must run inside the write's transaction")
    for hook in HOOKS.get(key, ()):
        hook.func(**kwargs)
