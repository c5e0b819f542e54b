"""What every workspace page shares: the layout's context, fragments, pagination, errors."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from rapport.core import selectors
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can
from rapport.core.roles import Role

PER_PAGE = 25


@dataclass(frozen=True)
class NavItem:
    name: str  # the URL name, also the `section` a page says it belongs to
    label: str
    key: str  # pressed after `g` to go there
    role: Role = Role.VIEWER  # the least role that sees the item
    below: str = ""  # the URL name the item leads to for members below `role` ('' hides it)


NAV = [
    NavItem("my_work", "My work", "w", Role.EMPLOYEE),
    NavItem("inbox", "Inbox", "i"),
    NavItem("listening", "Listening", "l"),
    NavItem("approvals", "Approvals", "a", Role.EMPLOYEE),
    NavItem("cases", "Cases", "c"),
    NavItem("ideas", "Ideas", "d"),
    NavItem("activity", "Activity", "v"),
    NavItem("contacts", "Contacts", "o"),
    NavItem("people", "People", "p"),
    NavItem("recognition", "Recognition", "r", Role.MANAGER, below="recognition_mine"),
    NavItem("settings", "Settings", "s"),
]

SETTINGS_NAV = [
    NavItem("settings_workspace", "Workspace", ""),
    NavItem("settings_members", "Members", ""),
    NavItem("settings_teams", "Teams", ""),
    NavItem("settings_tokens", "API tokens", ""),
    NavItem("settings_notifications", "Notifications", ""),
    NavItem("settings_engagement", "Engagement policy", ""),
    NavItem("settings_canned", "Canned responses", ""),
    NavItem("settings_outbox", "Outbox", ""),
    NavItem("settings_sla", "SLAs and business hours", ""),
    NavItem("settings_case_types", "Case types", "", Role.ADMIN),
    NavItem("settings_playbooks", "Playbooks", "", Role.ADMIN),
    NavItem("settings_recognition", "Recognition", "", Role.ADMIN),
    NavItem("settings_audit", "Audit log", "", Role.ADMIN),
    NavItem("settings_tasks", "Background tasks", "", Role.MANAGER),
]


def _links(items: list[NavItem], membership: Membership, current: str) -> list[dict[str, Any]]:
    slug = membership.workspace.slug
    return [
        {
            "label": item.label,
            "key": item.key,
            "url": reverse(f"web:{target}", args=[slug]),
            "current": item.name == current,
        }
        for item in items
        if (target := item.name if membership.has_role(item.role) else item.below)
    ]


def is_fragment(request: HttpRequest) -> bool:
    """An htmx request wants the partial; a history restore after a cache miss wants the page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def render_page(
    request: HttpRequest,
    membership: Membership,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    section: str,
    subsection: str = "",
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """A workspace page in the layout, or only `partial` (which the page includes) for htmx."""
    if partial is not None and is_fragment(request):
        template = partial
    if request.session.get("workspace") != membership.workspace.slug:  # else no session write
        request.session["workspace"] = membership.workspace.slug
    ctx = {
        "membership": membership,
        "workspace": membership.workspace,
        "memberships": selectors.memberships_of(membership.user),
        "nav": _links(NAV, membership, section),
        "settings_nav": _links(SETTINGS_NAV, membership, subsection),
        "section": section,
        "is_manager": membership.has_role(Role.MANAGER),
        "is_admin": membership.has_role(Role.ADMIN),
        "may": {verb.name: can(membership, verb) for verb in Verb},  # {% if may.TEAMS %}
        **(context or {}),
    }
    response = render(request, template, ctx, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


View = Callable[..., HttpResponse]


def member_view(view: View) -> View:
    """Signed-in only; a PermissionDenied from an action or selector becomes a 403 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, slug, *args, **kwargs)
        except PermissionDenied as e:
            membership = access_workspace(request.user, slug)
            response = render_page(
                request,
                membership,
                "web/forbidden.html",
                {"message": str(e) or "Your role does not allow this."},
                section="",
                status=403,
            )
        # Pages hold private data: never serve them from a cache after sign-out.
        add_never_cache_headers(response)
        return response

    return login_required(wrapper)


def paginate(request: HttpRequest, items: QuerySet[Any], per_page: int = PER_PAGE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """Counts at most `cap` items (`capped` says when there are more): counting every post of a
    busy workspace on each view of a live list costs more than the page itself."""

    cap = 10_000
    capped = False

    @functools.cached_property
    def count(self) -> int:
        counted = cast(QuerySet[Any], self.object_list)[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate_capped(request: HttpRequest, items: QuerySet[Any], per_page: int = PER_PAGE) -> Page:
    return CappedPaginator(items, per_page).get_page(request.GET.get("page"))


def add_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: on its field when the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def search_term(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:200]
