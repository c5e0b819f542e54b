"""Playbooks: a BPMN process (and its DMN tables) attached to a case type, and one run per case.

A run keeps SpiffWorkflow's serialized workflow (its spec included) as JSON, written after every
step, so a run survives restarts and later uploads: a new version only affects new runs.
"""

from django.db import models

from rapport.core.models import Membership, WorkspaceOwned


class Playbook(WorkspaceOwned):
    """One uploaded version of a case type's process; at most one version is active."""

    case_type = models.ForeignKey(
        "cases.CaseType", on_delete=models.CASCADE, related_name="playbooks"
    )
    name = models.CharField(max_length=200)
    process_id = models.CharField(max_length=200)
    bpmn = models.TextField(help_text="The BPMN 2.0 XML as uploaded")
    bpmn_filename = models.CharField(max_length=200, blank=True)
    #: {filename: DMN XML} of the decision tables the process calls
    dmn = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)
    #: its steps in drawing order (name, kind, lane), worked out at upload for Settings
    steps = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["case_type__name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["case_type", "version"], name="playbook_unique_version"
            ),
            models.UniqueConstraint(
                fields=["case_type"],
                condition=models.Q(active=True),
                name="playbook_one_active_per_case_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PlaybookRun(WorkspaceOwned):
    """The playbook running on one case, with its workflow state."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="playbook_run")
    playbook = models.ForeignKey(Playbook, on_delete=models.PROTECT, related_name="runs")
    state = models.JSONField(help_text="SpiffWorkflow's serialized workflow, spec included")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True, help_text="Why the run failed, for the case page")
    #: the current step's name and its words for the customer, kept for fast reads
    current_step = models.CharField(max_length=200, blank=True)
    customer_step = models.CharField(max_length=200, blank=True)
    #: the steps in drawing order with their state, for the case page (see engine.outline)
    outline = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status"], name="playbook_run_status")]

    def __str__(self) -> str:
        return f"{self.playbook} on case #{self.case_id}"


class PlaybookStep(WorkspaceOwned):
    """A workflow user task waiting on people: the case task made for it, or the approval."""

    run = models.ForeignKey(PlaybookRun, on_delete=models.CASCADE, related_name="steps")
    workflow_task_id = models.CharField(max_length=36, help_text="SpiffWorkflow's task id")
    bpmn_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200)
    task = models.OneToOneField(
        "cases.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="playbook_step"
    )
    approval = models.OneToOneField(
        "approvals.Approval",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="playbook_step",
    )
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.BooleanField(default=False)
    #: what the person entered in the step's form (see `forms`), read when the step completes
    form_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "workflow_task_id"], name="playbook_step_unique_task"
            )
        ]

    def __str__(self) -> str:
        return self.name
