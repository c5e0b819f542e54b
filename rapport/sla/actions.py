"""Every write of SLAs by a person: calendars, policies and their escalation rules (admins).

Timers are written by the machine (`timers`, `sweep`), never here.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.cases.models import Case, CaseType, Status
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by, snapshot
from rapport.core.models import Membership, Team
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require
from rapport.core.priority import clean_priority
from rapport.sla import timers
from rapport.sla.calendar import check_time_zone, clean_holidays, clean_hours
from rapport.sla.models import BusinessCalendar, EscalationRule, Metric, SlaPolicy, SlaTimer

CALENDAR_FIELDS = ["name", "time_zone", "hours", "holidays"]
POLICY_FIELDS = [
    "name",
    "case_type",
    "priority",
    "calendar",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "warn_percent",
    "active",
]
#: the longest target: a year of round-the-clock minutes
TARGET_MAX = 366 * 24 * 60


def _clean_calendar(
    actor: Membership,
    calendar: BusinessCalendar,
    name: object,
    time_zone: object,
    hours: object,
    holidays: object,
) -> None:
    errors: dict[str, list[str]] = {}
    calendars = BusinessCalendar.objects.filter(workspace=actor.workspace)
    for field, clean, value in (
        (
            "name",
            lambda v: unique_name(v, taken=calendars, noun="calendar", exclude=calendar.pk),
            name,
        ),
        ("time_zone", lambda v: check_time_zone(v).key, time_zone),
        ("hours", clean_hours, hours),
        ("holidays", clean_holidays, holidays if holidays is not None else []),
    ):
        try:
            setattr(calendar, field, clean(value))
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)


@action("sla.calendar.create")
def create_calendar(
    actor: Membership, *, name: str, time_zone: str, hours: object, holidays: object = None
) -> BusinessCalendar:
    """Opening hours per weekday in a time zone, and holidays (closed all day)."""
    require(actor, Verb.SLA)
    calendar = BusinessCalendar(workspace=actor.workspace)
    _clean_calendar(actor, calendar, name, time_zone, hours, holidays)
    calendar.save()
    record_by(
        actor, verb="sla.calendar.create", obj=calendar, after=snapshot(calendar, CALENDAR_FIELDS)
    )
    return calendar


@action("sla.calendar.update")
def update_calendar(
    actor: Membership,
    calendar: BusinessCalendar,
    *,
    name: str,
    time_zone: str,
    hours: object,
    holidays: object = None,
) -> BusinessCalendar:
    """Changes a calendar; timers already running keep their due times until they pause."""
    require(actor, Verb.SLA)
    require_same_workspace(actor, calendar)
    before = snapshot(calendar, CALENDAR_FIELDS)
    _clean_calendar(actor, calendar, name, time_zone, hours, holidays)
    after = snapshot(calendar, CALENDAR_FIELDS)
    if after != before:
        calendar.save()
        record_by(actor, verb="sla.calendar.update", obj=calendar, before=before, after=after)
    return calendar


# Policies ----------------------------------------------------------------------------------


def _target(value: object, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: "A target is a whole number of business minutes."})
    if not 1 <= value <= TARGET_MAX:
        raise ValidationError({field: f"A target is 1 to {TARGET_MAX:,} business minutes."})
    return value


def _clean_policy(actor: Membership, policy: SlaPolicy, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}

    def check(field: str, clean: Any) -> None:
        if field not in fields:
            return
        try:
            setattr(policy, field, clean(fields[field]))
        except ValidationError as error:
            errors[field] = error.messages

    others = SlaPolicy.objects.filter(workspace=actor.workspace).exclude(pk=policy.pk)
    check("name", lambda v: unique_name(v, taken=others, noun="policy"))
    for metric in Metric.values:
        check(f"{metric}_minutes", lambda v, f=f"{metric}_minutes": _target(v, f))

    def priority(value: object) -> int | None:
        return None if value is None or value == "" else clean_priority(value)

    def warn(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
            raise ValidationError("Warn at 1 to 99 percent of the target.")
        return value

    def related(model: type, label: str) -> Any:
        def clean(value: Any) -> Any:
            if value is not None and not isinstance(value, model):
                raise ValidationError(f"Choose a {label}.")
            require_same_workspace(actor, value)
            return value

        return clean

    check("priority", priority)
    check("warn_percent", warn)
    check("case_type", related(CaseType, "case type"))
    check("calendar", related(BusinessCalendar, "calendar"))
    check("active", lambda v: bool(v))
    if policy.calendar_id is None and "calendar" not in errors:
        errors["calendar"] = ["Choose the business-hours calendar the targets count in."]
    if errors:
        raise ValidationError(errors)
    if not any(policy.target(m) for m in Metric.values):
        raise ValidationError(
            "Set at least one target (first response, next response, resolution)."
        )
    clash = others.filter(active=True, case_type=policy.case_type, priority=policy.priority).first()
    if policy.active and clash is not None:
        raise ValidationError(
            f"The policy {clash.name!r} already covers these cases; change or deactivate it first."
        )


@action("sla.policy.create")
def create_policy(actor: Membership, **fields: Any) -> SlaPolicy:
    """Targets for cases of a type (or any) and a priority (or any), counted in a calendar.

    Cases opened from now on get timers; cases already open keep what they have.
    """
    require(actor, Verb.SLA)
    policy = SlaPolicy(workspace=actor.workspace)
    fields.setdefault("calendar", None)
    _clean_policy(actor, policy, fields)
    policy.save()
    record_by(actor, verb="sla.policy.create", obj=policy, after=snapshot(policy, POLICY_FIELDS))
    return policy


@action("sla.policy.update")
def update_policy(actor: Membership, policy: SlaPolicy, **fields: Any) -> SlaPolicy:
    """Changes a policy; running timers keep the targets they started with."""
    require(actor, Verb.SLA)
    require_same_workspace(actor, policy)
    before = snapshot(policy, POLICY_FIELDS)
    _clean_policy(actor, policy, fields)
    after = snapshot(policy, POLICY_FIELDS)
    if after != before:
        policy.save()
        record_by(actor, verb="sla.policy.update", obj=policy, before=before, after=after)
    return policy


@action("sla.rule.add")
def add_rule(
    actor: Membership,
    policy: SlaPolicy,
    *,
    when: str,
    do: str,
    metric: str = "",
    assignee: Membership | None = None,
    team: Team | None = None,
    task_title: str = "",
) -> EscalationRule:
    """What to do when a timer of this policy warns or breaches."""
    require(actor, Verb.SLA)
    require_same_workspace(actor, policy, assignee, team)
    errors: dict[str, str] = {}
    if when not in EscalationRule.When.values:
        errors["when"] = f"Unknown moment {when!r}; use warning or breach."
    if do not in EscalationRule.Do.values:
        errors["do"] = (
            f"Unknown escalation {do!r}; use one of {', '.join(EscalationRule.Do.values)}."
        )
    if metric and metric not in Metric.values:
        errors["metric"] = f"Unknown target {metric!r}; use one of {', '.join(Metric.values)}."
    task_title = (task_title or "").strip()
    if len(task_title) > 200:
        errors["task_title"] = "The task title has at most 200 characters."
    if do == EscalationRule.Do.REASSIGN and assignee is None and team is None:
        errors["assignee"] = "Reassign to whom? Choose a person, a team, or both."
    if errors:
        raise ValidationError(errors)
    rule = EscalationRule.objects.create(
        workspace=actor.workspace,
        policy=policy,
        when=when,
        do=do,
        metric=metric,
        assignee=assignee
        if do in (EscalationRule.Do.REASSIGN, EscalationRule.Do.OPEN_TASK)
        else None,
        team=team if do == EscalationRule.Do.REASSIGN else None,
        task_title=task_title if do == EscalationRule.Do.OPEN_TASK else "",
    )
    record_by(
        actor,
        verb="sla.rule.add",
        obj=rule,
        after={
            **snapshot(rule, ["when", "do", "metric", "assignee", "team", "task_title"]),
            "policy": policy.pk,
        },
    )
    return rule


@action("sla.rule.delete")
def delete_rule(actor: Membership, rule: EscalationRule) -> None:
    require(actor, Verb.SLA)
    require_same_workspace(actor, rule)
    record_by(
        actor,
        verb="sla.rule.delete",
        obj=rule,
        before={"rule": str(rule), "policy": rule.policy_id},
    )
    rule.delete()


@action("sla.timers.start")
def start_missing_timers(actor: Membership) -> int:
    """Gives the workspace's working cases that have no timer the ones their policy sets,
    counted from when each case was opened (after a first policy is set up)."""
    require(actor, Verb.SLA)
    cases = Case.objects.filter(
        workspace=actor.workspace,
        status__in=[
            Status.NEW,
            Status.OPEN,
            Status.WAITING_CUSTOMER,
            Status.WAITING_APPROVAL,
            Status.WAITING_THIRD_PARTY,
        ],
    ).exclude(pk__in=SlaTimer.objects.filter(workspace=actor.workspace).values("case_id"))
    started = 0
    now = timezone.now()
    for case in cases.iterator():
        if timers.start(case, at=case.created_at):
            started += 1
            if case.status == Status.WAITING_CUSTOMER:
                timers.pause(case, now)
    record_by(actor, verb="sla.timers.start", obj=actor.workspace, after={"cases": started})
    return started
