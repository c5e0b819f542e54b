"""Cases models: Case (with parent/child cases and merges of duplicates), CaseType (with the JSON
schema of its custom fields), Task, Comment, the per-case Activity stream, CaseMerge (what a merge
moved, so an admin can undo it) and PublicLink (the customer's status page).

Approvals, SLAs and playbooks keep their state in their own apps, pointing at Case.
"""

from django.db import models
from django.utils import timezone

from rapport.core.models import Membership, Team, WorkspaceOwned
from rapport.core.priority import Priority


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
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_cases"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # Each of the list's filters reads its page off one index in the list's exact order
            # (newest change first, then id), so no page sorts the workspace's cases.
            models.Index(
                fields=["workspace", "status", "-updated_at", "-id"], name="case_ws_status_order"
            ),
            models.Index(fields=["workspace", "-updated_at", "-id"], name="case_ws_order"),
            models.Index(
                fields=["workspace", "team", "-updated_at", "-id"], name="case_ws_team_order"
            ),
            models.Index(
                fields=["workspace", "owner", "-updated_at", "-id"], name="case_ws_owner_order"
            ),
            models.Index(
                fields=["workspace", "customer", "-updated_at", "-id"],
                name="case_ws_customer_order",
            ),
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
    team_mentions = models.ManyToManyField(Team, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_comment_case")]

    def __str__(self) -> str:
        return f"Comment on case #{self.case_id}"


class Activity(WorkspaceOwned):
    """One line of a case's activity stream ("Sam moved the case to resolved"), written with the
    audit event it comes from, in the same transaction.

    The case's team and customer are copied at the time so the workspace-wide stream filters by
    them on an index instead of joining 200,000 cases.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="activity")
    actor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=80)
    text = models.CharField(max_length=300)
    event = models.ForeignKey(
        "core.AuditEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "-created_at", "-id"], name="case_activity_case"),
            models.Index(fields=["workspace", "-created_at", "-id"], name="case_activity_ws"),
            models.Index(
                fields=["workspace", "team", "-created_at", "-id"], name="case_activity_team"
            ),
            models.Index(
                fields=["workspace", "customer", "-created_at", "-id"],
                name="case_activity_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"Case #{self.case_id}: {self.text}"


class CaseMerge(WorkspaceOwned):
    """Case `source` merged into `target`: what moved and what `source` was, for an unmerge."""

    source = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="merges_out")
    target = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="merges_in")
    #: source's status and times before; ids of tasks, comments, children and watchers moved
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"Case #{self.source_id} merged into #{self.target_id}"


class PublicLink(WorkspaceOwned):
    """The customer's status page for a case, at /status/<token>/, until revoked.

    The token is kept (unique, 32 random bytes) rather than hashed so agents can copy the link
    again from the case page; it reveals only what the case says publicly.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="public_links")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(revoked_at__isnull=True),
                name="case_one_live_public_link",
            )
        ]

    def __str__(self) -> str:
        return f"Public link of case #{self.case_id}"
