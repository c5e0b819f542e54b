"""The notifications router: a member reads and marks their own notifications, nobody else's."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from rapport.api.auth import member
from rapport.api.pagination import Pages
from rapport.api.schemas import NotificationOut, NotificationsReadIn, NotificationsReadOut
from rapport.notifications import actions, selectors
from rapport.notifications.models import Notification

router = Router(tags=["notifications"])


@router.get(
    "/notifications", response=list[NotificationOut], summary="Your notifications, newest first"
)
@paginate(Pages, page_size=50)
def list_notifications(
    request: HttpRequest, unread: bool = False, q: str = ""
) -> QuerySet[Notification]:
    """`unread=true` lists only the unread ones; `q` searches their text."""
    return selectors.notifications_of(member(request), unread=unread, search=q.strip()[:200])


@router.post(
    "/notifications/read",
    response=NotificationsReadOut,
    summary="Mark some of your notifications read, or all of them",
)
def mark_read(request: HttpRequest, payload: NotificationsReadIn) -> dict[str, int]:
    """An id that is not one of your notifications is a 404 and nothing is marked."""
    m = member(request)
    if payload.all:
        marked = actions.mark_all_read(m)
    else:
        if not payload.ids:
            raise ValidationError({"ids": "Give the ids to mark read, or set `all` to true."})
        items = [selectors.access_notification(m, i) for i in dict.fromkeys(payload.ids)]
        marked = actions.mark_read(m, items)
    return {"marked": marked, "unread": selectors.unread_count(m)}
