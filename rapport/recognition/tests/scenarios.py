"""One way to perform each recognition action, given the owner of a fresh workspace
(`rapport/core/tests/test_actions.py` adds these to its SCENARIOS)."""

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from rapport.core import actions as core_actions
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation
from rapport.recognition import actions, reports, skills
from rapport.recognition.models import Contribution, Kind, Report


def colleague(owner: Membership, email: str = "kim@acme.example") -> Membership:
    return core_actions.add_member(owner, email=email, role=Role.AGENT)


def _include(owner: Membership) -> None:
    kim = colleague(owner)
    actions.exclude(owner, kim, "asked to be left out")
    actions.include(owner, kim)


def _report(owner: Membership) -> Report:
    today = timezone.localdate()
    Contribution.objects.create(
        workspace=owner.workspace,
        member=owner,
        kind=Kind.CASE_NOTE,
        at=timezone.now(),
        event=1,
        object_type="case",
        object_id=1,
    )
    return reports.request_report(owner, today, today)


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "recognition.kudos": lambda o: actions.give_kudos(
        o, colleague(o), "conversation", conversation(o.workspace).pk, "Thank you!"
    ),
    "recognition.weights": lambda o: actions.set_weights(o, dict.fromkeys(Kind.values, 1)),
    "recognition.leaderboards": lambda o: actions.set_leaderboards(o, False),
    "recognition.exclude": lambda o: actions.exclude(o, colleague(o), "asked"),
    "recognition.include": _include,
    "recognition.skill_dismiss": lambda o: skills.dismiss(o, o, "mortgages"),
    "recognition.report": _report,
}
