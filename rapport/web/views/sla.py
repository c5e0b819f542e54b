"""Settings → SLAs: business-hours calendars and SLA policies with their escalation rules.

Everybody may look; admins change them (the actions check the role).
"""

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.cases.models import CaseType
from rapport.core.access import access_workspace
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, require
from rapport.core.priority import Priority
from rapport.sla import actions, selectors
from rapport.sla.access import access_calendar, access_policy, access_rule
from rapport.sla.calendar import WEEKDAYS, WEEKDAYS_9_TO_5
from rapport.sla.models import BusinessCalendar, EscalationRule, Metric, SlaPolicy
from rapport.web.views.common import (
    add_action_errors,
    member_view,
    paginate,
    render_page,
    search_term,
)

_SPAN = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")
_HOLIDAY = re.compile(r"^\s*(\S+)\s*(.*)$")


def _hhmm(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


class CalendarForm(forms.Form):
    name = forms.CharField(max_length=100)
    time_zone = forms.CharField(
        max_length=64,
        initial="Europe/London",
        help_text="A time zone name such as Europe/London or America/New_York; opening hours "
        "and holidays are read on its clock, summer time included.",
    )
    holidays = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One per line: the date (YYYY-MM-DD), then its name. Closed all day.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in enumerate(WEEKDAYS):
            self.fields[f"day_{day}"] = forms.CharField(
                label=name,
                required=False,
                help_text=""
                if day
                else "e.g. 09:00-17:00, or 09:00-12:30, 13:30-17:00; "
                "00:00-24:00 round the clock; empty: closed.",
            )

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{day}"] for day in range(7)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        hours: dict[str, list[list[str]]] = {}
        for day in range(7):
            text = (data.get(f"day_{day}") or "").strip()
            spans = []
            for part in filter(None, (p.strip() for p in text.split(","))):
                match = _SPAN.match(part)
                if not match:
                    self.add_error(
                        f"day_{day}", f"{part!r} is not opening hours; write it as 09:00-17:00."
                    )
                    break
                spans.append([_hhmm(match[1]), _hhmm(match[2])])
            hours[str(day)] = spans
        data["hours"] = hours
        holidays = []
        for number, line in enumerate((data.get("holidays") or "").splitlines(), 1):
            if not line.strip():
                continue
            match = _HOLIDAY.match(line)
            assert match is not None
            try:
                dt.date.fromisoformat(match[1])
            except ValueError:
                self.add_error(
                    "holidays", f"Line {number}: {match[1]!r} is not a date; write YYYY-MM-DD."
                )
                continue
            holidays.append({"date": match[1], "name": match[2].strip()[:100]})
        data["holiday_list"] = holidays
        return data

    @staticmethod
    def initial_for(calendar: BusinessCalendar | None) -> dict[str, Any]:
        hours = calendar.hours if calendar else WEEKDAYS_9_TO_5
        initial: dict[str, Any] = {
            f"day_{day}": ", ".join(f"{a}-{b}" for a, b in hours.get(str(day), []))
            for day in range(7)
        }
        if calendar is not None:
            initial.update(
                name=calendar.name,
                time_zone=calendar.time_zone,
                holidays="\n".join(f"{h['date']} {h['name']}".strip() for h in calendar.holidays),
            )
        return initial


def _save_calendar(
    membership: Membership, form: CalendarForm, calendar: BusinessCalendar | None
) -> BusinessCalendar | None:
    data = form.cleaned_data
    holidays = data["holiday_list"]
    fields = {
        "name": data["name"],
        "time_zone": data["time_zone"].strip(),
        "hours": data["hours"],
        "holidays": holidays,
    }
    try:
        if calendar is None:
            return actions.create_calendar(membership, **fields)
        return actions.update_calendar(membership, calendar, **fields)
    except ValidationError as error:
        if hasattr(error, "error_dict") and "hours" in error.error_dict:
            form.add_error(None, error.error_dict.pop("hours"))
        if hasattr(error, "error_dict") and "holidays" in error.error_dict:
            form.add_error("holidays", error.error_dict.pop("holidays"))
        if not hasattr(error, "error_dict") or error.error_dict:
            add_action_errors(form, error)
        return None


class PolicyForm(forms.Form):
    name = forms.CharField(max_length=100)
    case_type = forms.ModelChoiceField(
        queryset=CaseType.objects.none(), required=False, empty_label="Any case type"
    )
    priority = forms.TypedChoiceField(
        choices=[("", "Any priority"), *Priority.choices],
        required=False,
        coerce=int,
        empty_value=None,
    )
    calendar = forms.ModelChoiceField(
        queryset=BusinessCalendar.objects.none(),
        help_text="Targets count only the time this calendar is open.",
    )
    first_response_minutes = forms.IntegerField(
        required=False, min_value=1, label="First response (business minutes)"
    )
    next_response_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        label="Next response (business minutes)",
        help_text="After the customer answers a case that waited on them.",
    )
    resolution_minutes = forms.IntegerField(
        required=False, min_value=1, label="Resolution (business minutes)"
    )
    warn_percent = forms.IntegerField(
        min_value=1,
        max_value=99,
        initial=80,
        label="Warn at (% of the target)",
        help_text="The owner is told when this much of a target is used.",
    )
    active = forms.BooleanField(required=False, initial=True)

    def __init__(self, membership: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ws = membership.workspace
        self.fields["case_type"].queryset = CaseType.objects.filter(workspace=ws)  # type: ignore[attr-defined]
        self.fields["calendar"].queryset = BusinessCalendar.objects.filter(workspace=ws)  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(policy: SlaPolicy) -> dict[str, Any]:
        return {
            "name": policy.name,
            "case_type": policy.case_type_id,
            "priority": policy.priority,
            "calendar": policy.calendar_id,
            "first_response_minutes": policy.first_response_minutes,
            "next_response_minutes": policy.next_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "warn_percent": policy.warn_percent,
            "active": policy.active,
        }


class RuleForm(forms.Form):
    when = forms.ChoiceField(choices=EscalationRule.When.choices)
    metric = forms.ChoiceField(
        choices=[("", "Any target"), *Metric.choices], required=False, label="Target"
    )
    do = forms.ChoiceField(choices=EscalationRule.Do.choices, label="Then")
    assignee = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Person",
        help_text="Who the case is reassigned to, or who gets the task (else the case's owner).",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, help_text="Reassign to this team."
    )
    task_title = forms.CharField(max_length=200, required=False, label="Task title")

    def __init__(self, membership: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ws = membership.workspace
        people: QuerySet[Membership] = (
            Membership.objects.filter(workspace=ws)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )
        self.fields["assignee"].queryset = people  # type: ignore[attr-defined]
        self.fields["assignee"].label_from_instance = lambda m: str(m.user)  # type: ignore[attr-defined]
        self.fields["team"].queryset = Team.objects.filter(workspace=ws)  # type: ignore[attr-defined]


@member_view
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    q = search_term(request)
    return render_page(
        request,
        membership,
        "web/sla/index.html",
        {
            "q": q,
            "calendars": list(selectors.calendars(membership, q)[:50]),
            "page": paginate(request, selectors.policies(membership, q)),
        },
        section="settings",
        subsection="settings_sla",
        partial="web/sla/_lists.html",
    )


def _calendar_page(
    request: HttpRequest, membership: Membership, calendar: BusinessCalendar | None
) -> HttpResponse:
    require(membership, Verb.SLA)
    form = CalendarForm(request.POST or None, initial=CalendarForm.initial_for(calendar))
    if request.method == "POST" and form.is_valid():
        saved = _save_calendar(membership, form, calendar)
        if saved is not None:
            messages.success(request, f"Calendar “{saved.name}” saved.")
            return redirect("web:settings_sla", slug=membership.workspace.slug)
    return render_page(
        request,
        membership,
        "web/sla/calendar.html",
        {"form": form, "calendar": calendar},
        section="settings",
        subsection="settings_sla",
        status=400 if form.errors else 200,
    )


@member_view
def calendar_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _calendar_page(request, access_workspace(request.user, slug), None)


@member_view
def calendar_edit(request: HttpRequest, slug: str, calendar_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    return _calendar_page(request, membership, access_calendar(membership, calendar_id))


def _policy_page(
    request: HttpRequest,
    membership: Membership,
    policy: SlaPolicy | None,
    *,
    rule_form: RuleForm | None = None,
) -> HttpResponse:
    require(membership, Verb.SLA)
    posted = request.POST if request.method == "POST" and rule_form is None else None
    form = PolicyForm(
        membership, posted, initial=PolicyForm.initial_for(policy) if policy else None
    )
    if posted is not None and form.is_valid():
        try:
            if policy is None:
                policy = actions.create_policy(membership, **form.cleaned_data)
            else:
                actions.update_policy(membership, policy, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Policy “{policy.name}” saved.")
            return redirect(
                "web:settings_sla_policy", slug=membership.workspace.slug, policy_id=policy.pk
            )
    has_errors = bool(form.errors or (rule_form is not None and rule_form.errors))
    return render_page(
        request,
        membership,
        "web/sla/policy.html",
        {
            "form": form,
            "policy": policy,
            "rules": list(policy.rules.select_related("assignee__user", "team")) if policy else [],
            "rule_form": rule_form or RuleForm(membership),
            "no_calendar": not BusinessCalendar.objects.filter(
                workspace=membership.workspace
            ).exists(),
        },
        section="settings",
        subsection="settings_sla",
        status=400 if has_errors else 200,
    )


@member_view
def policy_new(request: HttpRequest, slug: str) -> HttpResponse:
    return _policy_page(request, access_workspace(request.user, slug), None)


@member_view
def policy_edit(request: HttpRequest, slug: str, policy_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    return _policy_page(request, membership, access_policy(membership, policy_id))


@require_POST
@member_view
def rule_add(request: HttpRequest, slug: str, policy_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    policy = access_policy(membership, policy_id)
    form = RuleForm(membership, request.POST)
    if form.is_valid():
        try:
            actions.add_rule(membership, policy, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, "Escalation rule added.")
            return redirect("web:settings_sla_policy", slug=slug, policy_id=policy.pk)
    return _policy_page(request, membership, policy, rule_form=form)


@require_POST
@member_view
def rule_delete(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    rule = access_rule(membership, rule_id)
    policy_id = rule.policy_id
    actions.delete_rule(membership, rule)
    messages.success(request, "Escalation rule removed.")
    return redirect("web:settings_sla_policy", slug=slug, policy_id=policy_id)


@require_POST
@member_view
def start_timers(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    started = actions.start_missing_timers(membership)
    messages.success(
        request,
        f"SLA timers started for {started} open case{'s' if started != 1 else ''}."
        if started
        else "Every open case that a policy covers already has its timers.",
    )
    return redirect("web:settings_sla", slug=slug)
