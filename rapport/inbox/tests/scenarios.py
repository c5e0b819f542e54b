"""One way to perform each inbox action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core import actions as core_actions
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.inbox import actions, capture, rule_actions
from rapport.inbox.models import Conversation
from rapport.inbox.tests.factories import arrive, conversation, post


def _conv(owner: Membership, text: str = "My card was declined") -> Conversation:
    return conversation(owner.workspace, text, author=f"a{Conversation.objects.count()}")


def _two_posts(owner: Membership) -> tuple[Conversation, Any]:
    first = post(owner.workspace, "Login fails", author="jo", external_id="s1")
    second = post(owner.workspace, "Still failing", author="kim", reply_to_external_id="s1")
    arrive(owner.workspace, first, second)
    return Conversation.objects.get(first_post=first), second


def _rule(owner: Membership) -> Any:
    return rule_actions.create_rule(
        owner,
        name="Leads to sales",
        conditions=[{"field": "intent", "operator": "is", "value": "lead"}],
        actions=[{"type": "add_tag", "tag": "lead"}],
    )


def _agent(owner: Membership) -> Membership:
    return core_actions.add_member(owner, email="agent@inbox.example", role=Role.AGENT)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "conversation.assign": lambda o: actions.assign(o, _conv(o), assignee=o),
    "conversation.set_status": lambda o: actions.set_status(o, _conv(o), status="resolved"),
    "conversation.set_priority": lambda o: actions.set_priority(o, _conv(o), priority="urgent"),
    "conversation.tag": lambda o: actions.tag(o, _conv(o), tags=["vip"]),
    "conversation.untag": lambda o: actions.untag(
        o, (c := _conv(o)), tags=actions.tag(o, c, tags=["vip"])
    ),
    "conversation.merge": lambda o: actions.merge(o, _conv(o, "one"), into=_conv(o, "two")),
    "conversation.split": lambda o: actions.split(o, *(c := _two_posts(o))[:1], post=c[1]),
    "conversation.note": lambda o: actions.add_note(o, _conv(o), body="Called them back"),
    "conversation.hand_off": lambda o: actions.hand_off(
        o, _conv(o), to=_agent(o), note="Can you take this one?"
    ),
    "conversation.bulk": lambda o: actions.bulk_update(o, [_conv(o)], status="closed"),
    "conversation.capture": lambda o: capture.capture(
        o, text="Acme's app logged me out again", author="@jo", network="webhook"
    ),
    "saved_view.create": lambda o: actions.save_view(o, name="Leads", filters={"intent": "lead"}),
    "saved_view.delete": lambda o: actions.delete_view(
        o, actions.save_view(o, name="Mine", filters={"assignee": "me"})
    ),
    "routing_rule.create": lambda o: _rule(o),
    "routing_rule.update": lambda o: rule_actions.update_rule(o, _rule(o), enabled=False),
    "routing_rule.delete": lambda o: rule_actions.delete_rule(o, _rule(o)),
}
