"""SLAs: business-hours calendars, policies per case type and priority with their escalation
rules, and the timers each case runs against its policy.

Business time is real elapsed time inside a calendar's opening hours, in its time zone
(`rapport.sla.calendar`). A timer keeps `due_at` and `warn_at` as instants, recomputed only when
it pauses or resumes, so the sweep finds the ones crossing a threshold with one indexed query.
"""

from django.db import models
from django.db.models import Q

from rapport.core.models import Membership, Team, WorkspaceOwned
from rapport.core.priority import priority_name


class BusinessCalendar(WorkspaceOwned):
    """When the team works: weekly opening hours in a time zone, minus holidays."""

    name = models.CharField(max_length=100)
    time_zone = models.CharField(max_length=64, default="UTC")
    #: {"0": [["09:00", "17:00"]], ... "6": []}: weekday (0 = Monday) -> opening intervals;
    #: "24:00" closes at midnight.
    hours = models.JSONField(default=dict)
    #: [{"date": "2026-12-25", "name": "Christmas Day"}, ...]: closed all day.
    holidays = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="sla_calendar_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class SlaPolicy(WorkspaceOwned):
    """Targets in business minutes for cases of a type and priority (empty: any)."""

    name = models.CharField(max_length=100)
    case_type = models.ForeignKey(
        "cases.CaseType", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    priority = models.IntegerField(null=True, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="policies"
    )
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    warn_percent = models.PositiveSmallIntegerField(default=80)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="sla_policy_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def priority_label(self) -> str:
        return "any priority" if self.priority is None else priority_name(self.priority)

    def target(self, metric: str) -> int | None:
        value: int | None = getattr(self, f"{metric}_minutes")
        return value


class EscalationRule(WorkspaceOwned):
    """What happens to a case when one of its timers warns or breaches; done once per timer."""

    class When(models.TextChoices):
        WARNING = "warning", "Before the breach (warning)"
        BREACH = "breach", "After the breach"

    class Do(models.TextChoices):
        REASSIGN = "reassign", "Reassign the case"
        RAISE_PRIORITY = "raise_priority", "Raise the priority"
        NOTIFY_MANAGER = "notify_manager", "Notify the manager"
        OPEN_TASK = "open_task", "Open a task on the case"

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="rules")
    when = models.CharField(max_length=10, choices=When.choices)
    #: empty: every metric of the policy
    metric = models.CharField(max_length=20, choices=Metric.choices, blank=True)
    do = models.CharField(max_length=20, choices=Do.choices)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["policy", "when", "id"]

    def __str__(self) -> str:
        metric = Metric(self.metric).label.lower() if self.metric else "any target"
        return f"{self.When(self.when).label}, {metric}: {self.Do(self.do).label.lower()}"


class SlaTimer(WorkspaceOwned):
    """One target of one case: first response, a next response, or resolution."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused (waiting on the customer)"
        MET = "met", "Met"
        STOPPED = "stopped", "Stopped"

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sla_timers")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="timers")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    target_minutes = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    paused_since = models.DateTimeField(null=True, blank=True)
    #: business minutes spent paused so far; due_at is started_at + target + this
    paused_minutes = models.FloatField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            # The sweep's two queries read only the timers still able to cross a threshold.
            models.Index(
                fields=["due_at"],
                condition=Q(state="running", breached_at__isnull=True),
                name="sla_timer_breach_due",
            ),
            models.Index(
                fields=["warn_at"],
                condition=Q(state="running", warned_at__isnull=True, breached_at__isnull=True),
                name="sla_timer_warn_due",
            ),
            models.Index(fields=["case", "metric"], name="sla_timer_case"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "metric"],
                condition=Q(state__in=["running", "paused"]),
                name="sla_one_live_timer_per_metric",
            )
        ]

    def __str__(self) -> str:
        return f"{Metric(self.metric).label} of case #{self.case_id}"


class Escalation(WorkspaceOwned):
    """A rule applied to a timer: the unique pair is what makes each rule act once per timer."""

    timer = models.ForeignKey(SlaTimer, on_delete=models.CASCADE, related_name="escalations")
    rule = models.ForeignKey(EscalationRule, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField()
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["timer", "rule"], name="sla_escalation_once")
        ]

    def __str__(self) -> str:
        return self.summary
