"""The tenant (Workspace), its people and roles, teams, API tokens and the audit trail."""

import hashlib
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from rapport.core.roles import Role

if TYPE_CHECKING:
    from rapport.core.events import Event


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> "User":
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address; may belong to several workspaces."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1-50 lowercase letters, digits and dashes, not starting or ending with a dash.",
)


class Workspace(models.Model):
    """A tenant: one company's listening, inbox, cases and people. Nothing crosses it."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True, validators=[slug_validator])
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


#: The demo workspace, Acme Bank, made by `rapport demo`; the login page mentions its logins.
DEMO_WORKSPACE_SLUG = "acme"


class WorkspaceOwned(models.Model):
    """Base for everything that belongs to one workspace."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    title = models.CharField(max_length=200, blank=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="one_membership_per_user")
        ]
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.workspace} as {self.role}"

    def has_role(self, at_least: Role) -> bool:
        return Role(self.role).at_least(at_least)


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Membership, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_team_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppendOnlyQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("Audit events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only")


class AuditEvent(models.Model):
    """Who did what, when, to which object, with the state before and after. Never changed."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="audit_events", null=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, help_text="Kept when the user is deleted")
    verb = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Audit events are append-only")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API, bound to one member of one workspace. Only its hash is kept."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="Shown so people can tell tokens apart")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class TaskRun(models.Model):
    """A background task somebody started from Rapport, so its state can be shown to them."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="task_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    task_name = models.CharField(max_length=200)
    label = models.CharField(max_length=200)
    result_id = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.label


class Schedule(models.Model):
    """When a periodic task (`rapport.core.schedule.every`) runs next, kept to survive restarts.

    Not owned by a workspace: a schedule runs a task for all of them (the task scopes its work).
    """

    name = models.CharField(max_length=100, unique=True)
    every_seconds = models.PositiveIntegerField()
    task_path = models.CharField(max_length=200)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (every {self.every_seconds} s)"


class WorkerHeartbeat(models.Model):
    """A running `rapport worker` on the database queue, proving it is alive every few seconds.

    A task it claimed while its heartbeat is older than the lease goes back to the queue
    (`rapport.core.leases`). Not owned by a workspace: a worker serves them all.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} on {self.host} (pid {self.pid})"


class TaskFailure(models.Model):
    """A background task that failed for good, with why, so a manager sees what was not done.

    The workspace is the one the task worked for, where its arguments say (None for work done for
    every workspace, such as a periodic sweep).
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, null=True, blank=True, related_name="task_failures"
    )
    result_id = models.CharField(max_length=64, unique=True)
    task_name = models.CharField(max_length=200)
    reason = models.TextField()
    attempts = models.PositiveIntegerField(default=1)
    failed_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-failed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_name}: {self.reason}"


class PendingEvent(models.Model):
    """A queued listener's task, written with the event's own write, until it is on the queue.

    On Redis the task cannot commit with the database write: the row does, and is removed once
    the task is enqueued after the commit; a worker killed in between leaves it for the
    `core.pending_events` sweep (`rapport.core.events`). The database queue needs none.
    """

    listener = models.CharField(max_length=200)
    event = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.listener} ({self.event.get('name', '')})"


def team_ids(membership_id: int) -> tuple[int, ...]:
    """The ids of the teams a member is in now, in order (kept with an event as "at the time")."""
    rows = Team.members.through.objects.filter(membership_id=membership_id)
    return tuple(sorted(rows.values_list("team_id", flat=True)))


class JournalEntry(models.Model):
    """A domain event kept for replay: those a replayable listener hears (a read model such as
    the contribution ledger is rebuilt from them). Written in the emitting transaction; never
    changed. `actor_teams`: the teams the actor was in at the time."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    actor_id = models.IntegerField(null=True, blank=True)
    actor_teams = models.JSONField(default=list)
    object_id = models.BigIntegerField(null=True, blank=True)
    ids = models.JSONField(default=list)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "object_id"])]

    def __str__(self) -> str:
        return f"{self.name} {self.object_id or ''}"

    def event(self) -> "Event":
        from rapport.core.events import Event

        return Event(
            name=self.name,
            workspace_id=self.workspace_id,
            actor_id=self.actor_id,
            object_id=self.object_id,
            ids=tuple(self.ids),
            data=self.data,
            at=self.at,
            seq=self.pk,
            actor_teams=tuple(self.actor_teams),
        )
