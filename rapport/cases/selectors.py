"""Reads of the cases domain: the filtered, paginated case list, one case's page (children,
parent, merges, custom fields), and the activity streams, per case and workspace-wide.

Lists never COUNT(*) a whole table: counts stop at COUNT_CAP ("10,000+"), and each page's extra
facts (open tasks) are read for that page's rows only.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from rapport.cases import custom_fields
from rapport.cases.actions import allowed_transitions
from rapport.cases.models import Activity, Case, CaseMerge, Comment, Status, Task
from rapport.core.models import Membership, Team

PAGE = 25
MAX_PAGE = 200
COUNT_CAP = 10_000
ACTIVITY_PAGE = 20
OPEN_STATUSES = [s for s in Status.values if s not in (Status.RESOLVED, Status.CLOSED)]


@dataclass
class CasePage:
    items: Sequence[Case]
    count: int  # at most COUNT_CAP (+1 when there are more)
    page: int
    per_page: int

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def count_label(self) -> str:
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.count:,}"

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.count, COUNT_CAP) // self.per_page), self.page)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages or (self.capped and len(self.items) == self.per_page)


def bounded_count(qs: QuerySet[Any]) -> int:
    """How many rows, counting no further than COUNT_CAP + 1."""
    return qs.order_by().values("pk")[: COUNT_CAP + 1].count()


def _id(value: str, name: str, member: Membership) -> int | None:
    if value in ("", None):
        return None
    if value == "me" and name == "owner":
        return member.pk
    if value == "none":
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {name: f"{name} must be an id{', me' if name == 'owner' else ''} or none."}
        ) from None


def filter_cases(
    member: Membership,
    *,
    status: str = "",
    team: str = "",
    owner: str = "",
    q: str = "",
    customer: str = "",
    parent: str = "",
) -> QuerySet[Case]:
    """The workspace's cases matching the filters; `status=active` means not resolved/closed."""
    qs = Case.objects.filter(workspace=member.workspace)
    for name, value in (("customer", customer), ("parent", parent)):
        wanted = _id(value, name, member)
        if wanted == 0:
            qs = qs.filter(**{f"{name}__isnull": True})
        elif wanted is not None:
            qs = qs.filter(**{f"{name}_id": wanted})
    if status == "active":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status:
        if status not in Status.values:
            raise ValidationError(
                {
                    "status": f"Unknown status {status!r}; use active or one of "
                    f"{', '.join(Status.values)}."
                }
            )
        qs = qs.filter(status=status)
    for name, value in (("team", team), ("owner", owner)):
        wanted = _id(value, name, member)
        if wanted == 0:
            qs = qs.filter(**{f"{name}__isnull": True})
        elif wanted is not None:
            qs = qs.filter(**{f"{name}_id": wanted})
    q = (q or "").strip()
    if len(q) > 200:
        raise ValidationError({"q": "Search for at most 200 characters."})
    if q:
        if q.startswith("#") and q[1:].isdigit():  # a case number: the primary key only
            qs = qs.filter(pk=int(q[1:]))
        elif q.isdigit():
            qs = qs.filter(Q(pk=int(q)) | Q(subject__icontains=q))
        else:
            qs = qs.filter(Q(subject__icontains=q) | Q(description__icontains=q))
    return qs


def case_page(
    member: Membership, *, page: int = 1, per_page: int = PAGE, **filters: str
) -> CasePage:
    """A page of the member's cases for the list page: with owners, teams, customers and each
    one's count of open tasks."""
    return read_case_page(member, filters, page=page, per_page=per_page)


def read_case_page(
    member: Membership,
    filters: Mapping[str, str],
    *,
    page: int = 1,
    per_page: int = PAGE,
    related: Sequence[str] = ("owner__user", "team", "customer"),
    open_tasks: bool = True,
) -> CasePage:
    """A page of the member's cases, latest change first, read with `related` and, with
    `open_tasks`, each one's count of open tasks (the API shows neither customers nor counts)."""
    if not 1 <= per_page <= MAX_PAGE:
        raise ValidationError({"limit": f"limit must be 1 to {MAX_PAGE}."})
    if page < 1:
        raise ValidationError({"page": "page starts at 1."})
    qs = filter_cases(member, **filters)
    start = (page - 1) * per_page
    items = list(
        qs.select_related(*related).order_by("-updated_at", "-id")[start : start + per_page]
    )
    count = len(items) if page == 1 and len(items) < per_page else bounded_count(qs)
    if open_tasks:
        with_open_tasks(items)
    return CasePage(items=items, count=count, page=page, per_page=per_page)


def with_open_tasks(cases: list[Case]) -> None:
    """Sets `open_tasks` on each case: one grouped query over these cases' tasks only."""
    counts = dict(
        Task.objects.filter(case__in=[c.pk for c in cases], status=Task.State.OPEN)
        .values("case")
        .annotate(n=Count("pk"))
        .values_list("case", "n")
    )
    for case in cases:
        case.open_tasks = counts.get(case.pk, 0)  # type: ignore[attr-defined]


@dataclass
class CaseDetail:
    case: Case
    tasks: list[Task]
    comments: list[Comment]
    watchers: list[Membership]
    transitions: list[tuple[str, str]] = field(default_factory=list)
    children: list[Case] = field(default_factory=list)
    merged_cases: list[Case] = field(default_factory=list)
    merge: CaseMerge | None = None  # how this case was merged into another, if it was
    fields: list[custom_fields.FormField] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


CHILDREN_SHOWN = 50


def case_detail(member: Membership, case: Case) -> CaseDetail:
    # two indexed reads: an OR of the two foreign keys makes SQLite scan every case
    children = list(
        case.children.select_related("owner__user").order_by("-updated_at", "-id")[:CHILDREN_SHOWN]
    )
    merged = list(case.merged_cases.only("pk", "subject").order_by("-id")[:CHILDREN_SHOWN])
    merge = None
    if case.merged_into_id:
        merge = (
            CaseMerge.objects.filter(source=case, undone_at__isnull=True)
            .select_related("merged_by__user")
            .first()
        )
    return CaseDetail(
        case=case,
        tasks=list(
            case.tasks.select_related("assignee__user").order_by("status", "due_date", "id")
        ),
        comments=list(case.comments.select_related("author__user").prefetch_related("mentions")),
        watchers=list(case.watchers.select_related("user")),
        transitions=[] if case.merged_into_id else allowed_transitions(member, case),
        children=children,
        merged_cases=merged,
        merge=merge,
        fields=custom_fields.form_fields(
            case.case_type.schema if case.case_type else None, case.custom_fields
        ),
    )


@dataclass
class CaseOutline:
    """What the API answers about a case beyond its row: its tasks and comments, and the ids of
    its watchers, children and each comment's mentioned members."""

    tasks: list[Task]
    comments: list[Comment]
    mentions: dict[int, list[int]]  # comment id -> the members it mentions, by email
    watchers: list[int]
    children: list[int]
    transitions: list[tuple[str, str]]


def case_outline(member: Membership, case: Case, *, opened: bool = False) -> CaseOutline:
    """`case_detail` for the API: the same tasks, comments and ids in the same order, read as
    rows and ids (no people, merges or custom field forms); the case comes from access_case.

    `opened`: the case was opened in this request. What opens with it (a playbook's tasks,
    watchers) is read; comments and children it cannot have yet are not."""
    if case.workspace_id != member.workspace_id:
        raise ValidationError("This case belongs to another workspace.")
    comments = [] if opened else list(case.comments.all())
    mentions: dict[int, list[int]] = {c.pk: [] for c in comments}
    if comments:
        for comment_id, member_id in (
            Comment.mentions.through.objects.filter(comment_id__in=mentions)
            .order_by("membership__user__email")
            .values_list("comment_id", "membership_id")
        ):
            mentions[comment_id].append(member_id)
    return CaseOutline(
        tasks=list(case.tasks.order_by("status", "due_date", "id")),
        comments=comments,
        mentions=mentions,
        watchers=list(case.watchers.values_list("pk", flat=True)),
        children=[]
        if opened
        else list(
            case.children.order_by("-updated_at", "-id").values_list("pk", flat=True)[
                :CHILDREN_SHOWN
            ]
        ),
        transitions=[] if case.merged_into_id else allowed_transitions(member, case),
    )


# Activity ----------------------------------------------------------------------------------


@dataclass
class ActivityPage:
    items: list[Activity]
    page: int
    per_page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _activity_page(qs: QuerySet[Activity], page: int, per_page: int) -> ActivityPage:
    if page < 1:
        raise ValidationError({"page": "page starts at 1."})
    if not 1 <= per_page <= MAX_PAGE:
        raise ValidationError({"limit": f"limit must be 1 to {MAX_PAGE}."})
    start = (page - 1) * per_page
    rows = list(
        qs.select_related("actor__user", "comment").order_by("-created_at", "-id")[
            start : start + per_page + 1
        ]
    )
    return ActivityPage(
        items=rows[:per_page], page=page, per_page=per_page, has_next=len(rows) > per_page
    )


def case_activity(
    member: Membership, case: Case, *, page: int = 1, per_page: int = ACTIVITY_PAGE
) -> ActivityPage:
    """Everything that happened to the case, newest first (the case comes from access_case)."""
    if case.workspace_id != member.workspace_id:
        raise ValidationError("This case belongs to another workspace.")
    return _activity_page(Activity.objects.filter(case=case), page, per_page)


def workspace_activity(
    member: Membership,
    *,
    team: str = "",
    customer: str = "",
    page: int = 1,
    per_page: int = ACTIVITY_PAGE,
) -> ActivityPage:
    """Who is working on what: every case's activity in the workspace, newest first, optionally
    for one team's or one customer's cases."""
    qs = Activity.objects.filter(workspace=member.workspace)
    team_id = _id(team, "team", member)
    if team_id == 0:
        qs = qs.filter(team__isnull=True)
    elif team_id is not None:
        if not Team.objects.filter(pk=team_id, workspace=member.workspace).exists():
            raise ValidationError({"team": f"There is no team {team_id} in this workspace."})
        qs = qs.filter(team_id=team_id)
    customer_id = _id(customer, "customer", member)
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    return _activity_page(qs.select_related("case"), page, per_page)
