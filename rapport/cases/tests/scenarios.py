"""One way to perform each cases action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.cases import actions, merge, public
from rapport.cases.models import Case, Task
from rapport.core.models import Membership
from rapport.inbox.models import Conversation
from rapport.inbox.tests.factories import conversation


def make_case(owner: Membership, subject: str = "Disputed mortgage payment") -> Case:
    return actions.create_case(owner, subject=subject)


def make_task(owner: Membership) -> Task:
    return actions.add_task(owner, make_case(owner), title="Check the ledger")


def _conv(owner: Membership) -> Conversation:
    return conversation(owner.workspace, "You charged me twice!", author="payer")


def _merged(owner: Membership) -> Case:
    duplicate = make_case(owner, "Charged twice (again)")
    merge.merge(owner, duplicate, into=make_case(owner))
    return duplicate


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "case_type.update": lambda o: actions.update_case_type(
        o, actions.create_case_type(o, name="Dispute"), name="Payment dispute"
    ),
    "case.merge": lambda o: _merged(o),
    "case.unmerge": lambda o: merge.unmerge(o, _merged(o)),
    "case.public_link.create": lambda o: public.create_public_link(o, make_case(o)),
    "case.public_link.revoke": lambda o: public.revoke_public_link(
        o, public.create_public_link(o, make_case(o))
    ),
    "case_type.create": lambda o: actions.create_case_type(o, name="Payment dispute"),
    "case.create": lambda o: make_case(o),
    "case.open_from_conversation": lambda o: actions.open_case_from_conversation(o, _conv(o)),
    "case.update": lambda o: actions.update_case(o, make_case(o), priority="high"),
    "case.transition": lambda o: actions.transition(o, make_case(o), to="open"),
    "case.watch": lambda o: actions.watch(o, make_case(o), member=o, on=False),
    "case.task.add": lambda o: make_task(o),
    "case.task.update": lambda o: actions.update_task(o, make_task(o), status="done"),
    "case.comment": lambda o: actions.add_comment(o, make_case(o), body="Looking into it"),
}
