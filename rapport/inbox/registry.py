"""What a routing rule can do: a registry of action types, filled by the domains that own them.

The inbox registers its own in its `wiring.py` (assign a team or a person, set the priority, tag,
notify: `routing_actions.py`); a domain above the inbox registers its verb the same way (cases:
"open a case", in `rapport/cases/wiring.py`), so the inbox never imports it. Each type says:
- `clean`: its JSON parameters as stored, or a ValidationError naming the problem;
- `describe`: a step in words, for the rules page and the dry run ("assign to Sales");
- `apply`: what it does to one conversation while a batch is routed, in memory and in rule
  order (a later action of the rule sees the team an earlier one chose);
- `carry_out`: what it writes once for the batch, after the conversations are saved (never in
  a dry run). Either may be left out.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from rapport.inbox.cleaning import invalid, unknown

if TYPE_CHECKING:
    from rapport.inbox.models import Conversation, RoutingRule
    from rapport.inbox.routing import Plan, Router
    from rapport.listening.models import Post

MAX_ACTIONS = 10


@dataclass(frozen=True)
class Scope:
    """What a rule's parameters may name: the teams and members of the rule's workspace."""

    workspace_id: int | None
    teams: frozenset[int]
    members: frozenset[int]


@dataclass(frozen=True)
class Names:
    """What a step's ids are called in the rule's workspace, to describe it in words."""

    workspace_id: int
    teams: Mapping[int, str]
    people: Mapping[int, str]


@dataclass(frozen=True)
class Step:
    """One action of a rule (`params`, as stored) on one conversation of a routed batch."""

    rule: "RoutingRule"
    conversation: "Conversation"
    post: "Post"
    params: Mapping[str, Any]


#: (the step's parameters without its type, what they may name, "Action 2") -> those stored
Clean = Callable[[Mapping[str, Any], Scope, str], dict[str, Any]]
Describe = Callable[[Mapping[str, Any], Names], str]
Apply = Callable[["Router", "Plan", Step], None]
CarryOut = Callable[["Router", "Plan", list[Step]], None]


@dataclass(frozen=True)
class ActionType:
    name: str  # as stored in a rule: {"type": name, ...}
    label: str  # in words: "open a case"
    params: tuple[str, ...]  # the keys a step may have besides its type
    example: str  # the JSON of one step, for the help beside the rule editor
    clean: Clean
    describe: Describe
    apply: Apply | None = None
    carry_out: CarryOut | None = None


ACTION_TYPES: dict[str, ActionType] = {}


def register(action_type: ActionType) -> ActionType:
    """Adds a type (once per name; a second, different one is an error)."""
    known = ACTION_TYPES.get(action_type.name)
    if known is not None and known != action_type:
        raise ValueError(f"The routing action {action_type.name!r} is already registered")
    ACTION_TYPES[action_type.name] = action_type
    return action_type


def clean_actions(
    actions: object,
    *,
    teams: Iterable[int],
    members: Iterable[int],
    workspace_id: int | None = None,
) -> list[dict[str, Any]]:
    """The actions as stored; what they name must be of the rule's workspace."""
    scope = Scope(workspace_id, frozenset(teams), frozenset(members))
    if not isinstance(actions, list) or not actions:
        raise ValidationError("A rule needs at least one action, as a list of {type, ...}.")
    if len(actions) > MAX_ACTIONS:
        raise ValidationError(f"A rule has at most {MAX_ACTIONS} actions.")
    cleaned: list[dict[str, Any]] = []
    for i, item in enumerate(actions, 1):
        where = f"Action {i}"
        if not isinstance(item, dict):
            raise invalid(where, "must be an object with a type")
        kind = item.get("type")
        action_type = ACTION_TYPES.get(kind) if isinstance(kind, str) else None
        if action_type is None:
            raise invalid(where, unknown("action", kind, ACTION_TYPES))
        extra = set(item) - set(action_type.params) - {"type"}
        if extra:
            raise invalid(where, f"{action_type.name} takes no {sorted(extra)[0]!r}")
        params = {k: v for k, v in item.items() if k != "type"}
        cleaned.append({"type": action_type.name, **action_type.clean(params, scope, where)})
    return cleaned


def describe_actions(actions: Iterable[Mapping[str, Any]], names: Names) -> list[str]:
    out = []
    for step in actions:
        action_type = ACTION_TYPES.get(step.get("type", ""))
        if action_type is None:  # the domain that registered it is gone
            out.append(f"{step.get('type')} (no longer known: does nothing)")
        else:
            out.append(action_type.describe(step, names))
    return out
