"""One way to perform each triage action, given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from rapport.core.models import Membership
from rapport.triage import actions
from rapport.triage.tests.factories import triaged_post

SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "triage.correct": lambda o: actions.correct_label(
        o, triaged_post(o.workspace), field="sentiment", value="negative"
    ),
}
