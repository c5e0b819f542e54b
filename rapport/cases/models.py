"""Cases models. Owns: Case, CaseType, Task and Comment (the foundation); approvals, SLAs,
business hours, escalation, BPMN playbooks and the public status page come later.
"""

from django.db import models

from rapport.core.models import Membership, Team, WorkspaceOwned


class Priority(models.IntegerChoices):
    LOW = 0, "Low"
    NORMAL = 1, "Normal"
    HIGH = 2, "High"
    URGENT = 3, "Urgent"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
    WAITING_APPROVAL = "waiting_approval", "Waiting on approval"
    WAITING_THIRD_PARTY = "waiting_third_party", "Waiting on third party"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


class CaseType(WorkspaceOwned):
    """A kind of case ("Payment dispute"), with an optional JSON schema for its custom fields."""

    name = models.CharField(max_length=100)
    schema = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="case_type_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Case(WorkspaceOwned):
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    customer = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case_type = models.ForeignKey(
        CaseType, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    priority = models.IntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    watchers = models.ManyToManyField(Membership, blank=True, related_name="+")
    tags = models.JSONField(default=list, blank=True)
    conversation = models.ForeignKey(
        "inbox.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    post = models.ForeignKey(
        "listening.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status", "-updated_at"], name="case_ws_status"),
            models.Index(fields=["workspace", "-updated_at"], name="case_ws_updated"),
        ]

    def __str__(self) -> str:
        return f"Case #{self.pk}: {self.subject}"


class Task(WorkspaceOwned):
    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    checklist = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "due_date", "id"]
        indexes = [models.Index(fields=["case", "status"], name="case_task_status")]

    def __str__(self) -> str:
        return self.title


class Comment(WorkspaceOwned):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    public = models.BooleanField(default=False)
    mentions = models.ManyToManyField(Membership, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on case #{self.case_id}"
