"""The contribution ledger, kudos, the weights that score them, and the HR report.

The ledger is a read model: `wiring.py` derives every `Contribution` from journalled domain
events, so replaying the journal into an empty ledger gives the same ledger (`ledger.rebuild`).
Nobody types a contribution; a person's score is counted from it with the workspace's weights
at the time it is read, so changing a weight rescores the past too.
"""

from django.db import models

from rapport.core.models import Membership, Team, Workspace, WorkspaceOwned


class Kind(models.TextChoices):
    CAPTURED = "captured", "Captured a post"
    FIRST_RESPONSE = "first_response", "First response"
    PUBLIC_REPLY = "public_reply", "Public reply"
    EXPERT_ANSWER = "expert_answer", "Expert answer after a hand-off"
    COLLEAGUE_HELP = "colleague_help", "Answered a colleague's note"
    CASE_NOTE = "case_note", "Note that moved a case on"
    TASK_DONE = "task_done", "Task done"
    APPROVAL_IN_TIME = "approval_in_time", "Approval decided in time"
    CASE_RESOLVED = "case_resolved", "Case resolved"
    IDEA_PROMOTED = "idea_promoted", "Idea promoted from a customer"
    IDEA_SHIPPED = "idea_shipped", "Idea shipped"
    KUDOS = "kudos", "Kudos received"
    PRAISE = "praise", "Praised by a customer"


#: The weights a workspace starts with (points per contribution); `docs/recognition.md`
#: explains each. Admins change them on the recognition settings page.
DEFAULT_WEIGHTS: dict[str, int] = {
    Kind.CAPTURED: 2,
    Kind.FIRST_RESPONSE: 3,
    Kind.PUBLIC_REPLY: 1,
    Kind.EXPERT_ANSWER: 5,
    Kind.COLLEAGUE_HELP: 3,
    Kind.CASE_NOTE: 1,
    Kind.TASK_DONE: 2,
    Kind.APPROVAL_IN_TIME: 3,
    Kind.CASE_RESOLVED: 4,
    Kind.IDEA_PROMOTED: 2,
    Kind.IDEA_SHIPPED: 5,
    Kind.KUDOS: 2,
    Kind.PRAISE: 4,
}


class Contribution(WorkspaceOwned):
    """One thing a person did that helped, derived from the journalled event `event`."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    event = models.BigIntegerField(help_text="The journal entry it was derived from")
    #: What it points at: "conversation", "case", "task", "approval", "idea", "kudos", "post".
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    #: The person's team at the time (the first of theirs, by id), and the object's.
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, related_name="+")
    object_team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, related_name="+")
    #: Helped outside their own team(s): the object's team, or the asker's, is not theirs.
    crossed = models.BooleanField(default=False)
    colleague = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+", help_text="Helped"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "kind", "member"], name="one_contribution_per_event"
            )
        ]
        indexes = [
            # With what a person's page reads of each contribution: it reads the index alone.
            models.Index(
                fields=["workspace", "member", "at", "object_type", "object_id", "colleague"],
                name="contrib_member",
            ),
            models.Index(fields=["workspace", "at"], name="contrib_at"),
            models.Index(fields=["workspace", "object_type", "object_id"], name="contrib_object"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.object_type} {self.object_id}"


class Span(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week (from Monday)"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class Counts(WorkspaceOwned):
    """Contributions of one kind counted over a span of days, by team at the time."""

    # The indexes start with these: no index of their own.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    #: The team the contributions were made in (0: none). Not a foreign key, so that a missing
    #: team is one value a unique key can hold; a deleted team's id stays and reads as none.
    team_id = models.BigIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    span = models.CharField(max_length=7, choices=Span.choices)
    start = models.DateField(help_text="The span's first day")
    n = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class Tally(Counts):
    """How many contributions of one kind a person made in a day, a week, a month and a
    quarter (in the server's time zone), by their team at the time and whether they crossed:
    what scores, the team view and the HR report count, so a quarter reads a few thousand rows,
    not a million.

    Kept by `ledger.record` in the ledger's own transaction (only for contributions it wrote);
    `tally.recount` counts it again from the ledger. A period is read as whole quarters, then
    whole months, whole weeks and days (`tally.pieces`).
    """

    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    crossed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "span", "start", "kind", "crossed", "team_id"],
                name="one_tally",
            )
        ]
        # Everyone's tallies of a span, in the order they are grouped, with their counts: the
        # team view reads a quarter from the index alone.
        indexes = [
            models.Index(
                fields=["workspace", "span", "start", "member", "team_id", "kind", "crossed", "n"],
                name="tally_span",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.span} {self.start}: {self.n}"


class TeamTally(Counts):
    """The `Tally` rows of a span added up per team and kind, without the people: what the
    team view's totals per team read (a dozen teams' rows instead of every person's). Kept
    and recounted with the tallies.
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "span", "start", "team_id", "kind"], name="one_team_tally"
            )
        ]

    def __str__(self) -> str:
        return f"team {self.team_id} {self.kind} {self.span} {self.start}: {self.n}"


class Weight(WorkspaceOwned):
    """A workspace's points for one kind of contribution (missing: the default)."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    points = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "kind"], name="one_weight_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.points}"


class Kudos(WorkspaceOwned):
    """A thank-you from one member to another for a conversation, a case or an idea."""

    class About(models.TextChoices):
        CONVERSATION = "conversation", "Conversation"
        CASE = "case", "Case"
        IDEA = "idea", "Idea"

    giver = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    receiver = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    about = models.CharField(max_length=12, choices=About.choices)
    object_id = models.BigIntegerField()
    message = models.TextField(max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "receiver", "-created_at"], name="kudos_receiver"),
            models.Index(fields=["workspace", "about", "object_id"], name="kudos_object"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.giver_id} → {self.receiver_id}: {self.message[:40]}"


class Settings(WorkspaceOwned):
    """A workspace's recognition switches."""

    leaderboards = models.BooleanField(
        default=True, help_text="Show ranked lists of people on the team view"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace"], name="one_recognition_settings")
        ]

    def __str__(self) -> str:
        return f"leaderboards {'on' if self.leaderboards else 'off'}"


class Exclusion(WorkspaceOwned):
    """A person left out of leaderboards at their request (their ledger is still kept and
    theirs to see)."""

    member = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.member_id} excluded"


class Report(WorkspaceOwned):
    """An HR report for a period and (optionally) a department, made in the background."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    since = models.DateField()
    until = models.DateField(help_text="Inclusive")
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The department; none for the whole company",
    )
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="People written so far")
    total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    csv_file = models.CharField(max_length=300, blank=True)
    pdf_file = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"report {self.since} to {self.until} ({self.state})"


class DismissedSkill(WorkspaceOwned):
    """A skill suggested to a person from what they resolved that they said is not theirs: it
    is not suggested to them again."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    #: The name folded, so "Mortgages" and "mortgages" are one dismissal.
    key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "key"], name="one_dismissal_per_skill")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} dismissed {self.name}"
