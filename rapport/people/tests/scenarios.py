"""One way to perform each people action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core.models import Membership
from rapport.people import actions
from rapport.people.models import Skill


def make_skill(owner: Membership, name: str = "mortgages") -> Skill:
    return actions.create_skill(owner, name=name)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "skill.create": lambda o: make_skill(o),
    "skill.update": lambda o: actions.update_skill(o, make_skill(o), name="Mortgages"),
    "skill.delete": lambda o: actions.delete_skill(o, make_skill(o)),
    "member_skill.set": lambda o: actions.set_member_skill(o, o, skill=make_skill(o), level=3),
    "member_skill.remove": lambda o: actions.remove_member_skill(
        o, o, actions.set_member_skill(o, o, skill=make_skill(o)).skill
    ),
}
