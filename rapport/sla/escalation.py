"""Escalation rules applied to a timer that warned or breached: reassign the case, raise its
priority, notify the manager, open a task. Each rule acts once per timer (`Escalation` is unique
on the pair) and is audited with the warning or breach, which the case's stream shows (`sweep`).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import QuerySet
from django.utils import timezone

from rapport.cases.activity import case_url
from rapport.cases.models import Case, Task
from rapport.core.models import Membership
from rapport.core.priority import Priority, priority_name
from rapport.core.roles import Role
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind
from rapport.sla.models import Escalation, EscalationRule, Metric, SlaTimer

TASK_TITLE_MAX = 200


_remembered: ContextVar[dict[tuple[int, int | None, int | None], list[Membership]] | None] = (
    ContextVar("sla_managers", default=None)
)


def managers(case: Case) -> list[Membership]:
    """Who answers for the case: managers of its team, else of its owner's teams, else every
    manager of the workspace (never the owner, when anybody else is there)."""
    cache = _remembered.get()
    key = (case.workspace_id, case.team_id, case.owner_id)
    if cache is not None and key in cache:
        return cache[key]
    people = _find_managers(case)
    if cache is not None:
        cache[key] = people
    return people


@contextmanager
def remembering_managers() -> Iterator[None]:
    """Within the block (a sweep's batch), managers are looked up once per team and owner."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def _find_managers(case: Case) -> list[Membership]:
    base: QuerySet[Membership] = Membership.objects.filter(
        workspace_id=case.workspace_id, role=Role.MANAGER
    ).select_related("user", "workspace")
    for candidates in (
        base.filter(teams=case.team_id) if case.team_id else base.none(),
        base.filter(teams__members=case.owner_id) if case.owner_id else base.none(),
        base,
    ):
        people = [m for m in candidates.distinct() if m.pk != case.owner_id]
        if people:
            return people
    return []


def describe(timer: SlaTimer, when: str) -> str:
    label = Metric(timer.metric).label.lower()
    local = timezone.localtime(timer.due_at).strftime("%a %d %b %H:%M")
    if when == EscalationRule.When.WARNING:
        return f"Case #{timer.case_id}: {label} is due soon ({local})"
    return f"Case #{timer.case_id}: {label} target breached (was due {local})"


def tell_owner(timer: SlaTimer, case: Case, when: str) -> None:
    """The owner hears of every warning and breach; a case with no owner, its managers."""
    recipients = [case.owner] if case.owner is not None else managers(case)
    for member in recipients:
        notify(member, Kind.ESCALATED, describe(timer, when), case_url(case))


def apply(
    timer: SlaTimer, case: Case, rule: EscalationRule, *, done: set[tuple[int, int]] | None = None
) -> Escalation | None:
    """Does what the rule says to the case, once; None when it had already been done.

    `done` holds the (timer, rule) pairs already applied, when the caller read them in bulk.
    The caller's audit event (the warning or breach) lists what was done.
    """
    if done is not None:
        if (timer.pk, rule.pk) in done:
            return None
    elif Escalation.objects.filter(timer=timer, rule=rule).exists():
        return None
    summary = _DO[rule.do](timer, case, rule)
    return Escalation.objects.create(
        workspace_id=timer.workspace_id,
        timer=timer,
        rule=rule,
        done_at=timezone.now(),
        summary=summary,
    )


def _why(timer: SlaTimer, rule: EscalationRule) -> str:
    what = "breached" if rule.when == EscalationRule.When.BREACH else "nearly due"
    return f"{Metric(timer.metric).label.lower()} {what}"


def _reassign(timer: SlaTimer, case: Case, rule: EscalationRule) -> str:
    changes: dict[str, object] = {}
    if rule.assignee_id and rule.assignee_id != case.owner_id:
        changes["owner_id"] = rule.assignee_id
    if rule.team_id and rule.team_id != case.team_id:
        changes["team_id"] = rule.team_id
    if not changes:
        return f"Not reassigned ({_why(timer, rule)}): it is already with them"
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now(), **changes)
    for field, value in changes.items():
        setattr(case, field, value)
    names = []
    if rule.assignee is not None and "owner_id" in changes:
        case.watchers.add(rule.assignee)
        names.append(str(rule.assignee.user))
        notify(
            rule.assignee,
            Kind.ASSIGNED,
            f"Case #{case.pk} was escalated to you: {_why(timer, rule)}",
            case_url(case),
        )
    if rule.team is not None and "team_id" in changes:
        names.append(f"team {rule.team.name}")
    return f"Reassigned to {' and '.join(names)} ({_why(timer, rule)})"


def _raise_priority(timer: SlaTimer, case: Case, rule: EscalationRule) -> str:
    if case.priority >= Priority.URGENT:
        return f"Priority already urgent ({_why(timer, rule)})"
    case.priority = case.priority + 1
    Case.objects.filter(pk=case.pk).update(priority=case.priority, updated_at=timezone.now())
    return f"Priority raised to {priority_name(case.priority)} ({_why(timer, rule)})"


def _notify_manager(timer: SlaTimer, case: Case, rule: EscalationRule) -> str:
    people = managers(case)
    text = f"Escalated to you: {describe(timer, rule.when)} — {case.subject}"
    for member in people:
        notify(member, Kind.ESCALATED, text, case_url(case))
    if not people:
        return f"No manager to notify ({_why(timer, rule)})"
    return f"Told {', '.join(str(m.user) for m in people)} ({_why(timer, rule)})"


def _open_task(timer: SlaTimer, case: Case, rule: EscalationRule) -> str:
    title = rule.task_title or f"SLA: {_why(timer, rule)}; act on this case now"
    assignee = rule.assignee or case.owner
    Task.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        title=title[:TASK_TITLE_MAX],
        assignee=assignee,
        due_date=timezone.localdate(),
    )
    if assignee is not None:
        notify(assignee, Kind.ASSIGNED, f"New task on case #{case.pk}: {title}", case_url(case))
    return f"Opened task “{title}” ({_why(timer, rule)})"


_DO: dict[str, Callable[[SlaTimer, Case, EscalationRule], str]] = {
    EscalationRule.Do.REASSIGN: _reassign,
    EscalationRule.Do.RAISE_PRIORITY: _raise_priority,
    EscalationRule.Do.NOTIFY_MANAGER: _notify_manager,
    EscalationRule.Do.OPEN_TASK: _open_task,
}
