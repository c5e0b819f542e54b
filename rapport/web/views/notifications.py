"""Notifications: the bell's live count, the list (mark read, mark all read), the preferences."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.notifications import actions, selectors
from rapport.web.views.common import is_fragment, member_view, paginate, render_page, search_term

#: The bell asks for the count this often; the page lists this many per page.
BELL_POLL_SECONDS = 15


def _list(request: HttpRequest, membership: Membership, unread: bool | None = None) -> HttpResponse:
    if unread is None:
        unread = request.GET.get("unread") == "1"
    q = search_term(request)
    page = paginate(request, selectors.notifications_of(membership, unread=unread, search=q))
    return render_page(
        request,
        membership,
        "web/notifications/index.html",
        {
            "page": page,
            "unread": unread,
            "q": q,
            "unread_count": selectors.unread_count(membership),
        },
        section="notifications",
        partial="web/notifications/_list.html",
    )


@member_view
def notifications(request: HttpRequest, slug: str) -> HttpResponse:
    """Your notifications, newest first; `?unread=1` shows only the unread ones."""
    membership = access_workspace(request.user, slug)
    return _list(request, membership)


@member_view
def bell(request: HttpRequest, slug: str) -> HttpResponse:
    """The bell in the top bar with the unread count; it polls this every few seconds."""
    membership = access_workspace(request.user, slug)
    response = render(
        request,
        "web/notifications/_bell.html",
        {
            "workspace": membership.workspace,
            "unread_count": selectors.unread_count(membership),
            "poll_seconds": BELL_POLL_SECONDS,
        },
    )
    add_never_cache_headers(response)
    return response


def _back(request: HttpRequest, slug: str) -> HttpResponse:
    url = reverse("web:notifications", args=[slug])
    query = request.POST.get("return_query", "")
    # Only our own filters travel back, never a URL somebody put in the form.
    if query in ("unread=1", ""):
        url += f"?{query}" if query else ""
    return redirect(url)


@member_view
@require_POST
def mark_read(request: HttpRequest, slug: str) -> HttpResponse:
    """Marks the notifications named by `id` (one or more) read, or all of them with `all=1`."""
    membership = access_workspace(request.user, slug)
    if request.POST.get("all") == "1":
        count = actions.mark_all_read(membership)
        if not is_fragment(request):
            messages.success(
                request, f"{count} notification{'s' if count != 1 else ''} marked read."
            )
    else:
        ids = request.POST.getlist("id")
        items = [selectors.access_notification(membership, i) for i in ids]
        try:
            actions.mark_read(membership, items)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    if is_fragment(request):
        response = _list(request, membership, request.POST.get("return_query") == "unread=1")
        response["HX-Trigger"] = "notifications-changed"
        return response
    return _back(request, slug)


@member_view
@require_POST
def open_notification(request: HttpRequest, slug: str, notification_id: int) -> HttpResponse:
    """Marks one notification read and goes where it points."""
    membership = access_workspace(request.user, slug)
    item = selectors.access_notification(membership, notification_id)
    if item.read_at is None:
        actions.mark_read(membership, [item])
    # `url` was checked to be a path in Rapport when the notification was made.
    return redirect(item.url or reverse("web:notifications", args=[slug]))


@member_view
def preferences(request: HttpRequest, slug: str) -> HttpResponse:
    """Settings → Notifications: for each kind, in the app and/or by email."""
    membership = access_workspace(request.user, slug)
    prefs = selectors.preferences_of(membership)
    if request.method == "POST":
        choices = {
            p.kind: (
                request.POST.get(f"{p.kind}-in_app") == "on",
                request.POST.get(f"{p.kind}-email") == "on",
            )
            for p in prefs
        }
        actions.set_preferences(membership, choices)
        messages.success(request, "Your notification preferences are saved.")
        return redirect("web:settings_notifications", slug=slug)
    return render_page(
        request,
        membership,
        "web/notifications/preferences.html",
        {"preferences": prefs, "email": membership.user.email},
        section="settings",
        subsection="settings_notifications",
    )
