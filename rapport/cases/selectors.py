"""Reads of the cases domain: the filtered, paginated case list and one case's page."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet

from rapport.cases.actions import allowed_transitions
from rapport.cases.models import Case, Comment, Status, Task
from rapport.core.models import Membership

PAGE = 25
MAX_PAGE = 200
OPEN_STATUSES = [s for s in Status.values if s not in (Status.RESOLVED, Status.CLOSED)]


@dataclass
class CasePage:
    items: Sequence[Case]
    count: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


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
    member: Membership, *, status: str = "", team: str = "", owner: str = "", q: str = ""
) -> QuerySet[Case]:
    """The workspace's cases matching the filters; `status=active` means not resolved/closed."""
    qs = Case.objects.filter(workspace=member.workspace)
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
        if q.lstrip("#").isdigit():
            qs = qs.filter(Q(pk=int(q.lstrip("#"))) | Q(subject__icontains=q))
        else:
            qs = qs.filter(Q(subject__icontains=q) | Q(description__icontains=q))
    return qs


def case_page(
    member: Membership, *, page: int = 1, per_page: int = PAGE, **filters: str
) -> CasePage:
    if not 1 <= per_page <= MAX_PAGE:
        raise ValidationError({"limit": f"limit must be 1 to {MAX_PAGE}."})
    if page < 1:
        raise ValidationError({"page": "page starts at 1."})
    qs = filter_cases(member, **filters)
    count = qs.count()
    start = (page - 1) * per_page
    items = list(
        qs.select_related("owner__user", "team", "customer", "case_type")
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status=Task.State.OPEN)))
        .order_by("-updated_at", "-id")[start : start + per_page]
    )
    return CasePage(items=items, count=count, page=page, per_page=per_page)


@dataclass
class CaseDetail:
    case: Case
    tasks: list[Task]
    comments: list[Comment]
    watchers: list[Membership]
    transitions: list[tuple[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def case_detail(member: Membership, case: Case) -> CaseDetail:
    return CaseDetail(
        case=case,
        tasks=list(
            case.tasks.select_related("assignee__user").order_by("status", "due_date", "id")
        ),
        comments=list(
            case.comments.select_related("author__user").prefetch_related("mentions__user")
        ),
        watchers=list(case.watchers.select_related("user")),
        transitions=allowed_transitions(member, case),
    )
