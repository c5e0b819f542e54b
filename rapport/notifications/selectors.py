"""Reads of notifications: a member only ever sees their own."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.notifications.models import (
    DEFAULTS,
    KIND_HELP,
    Kind,
    Notification,
    NotificationPreference,
)


def notifications_of(
    viewer: Membership, *, unread: bool = False, search: str = ""
) -> QuerySet[Notification]:
    items = Notification.objects.filter(recipient=viewer).select_related("actor__user")
    if unread:
        items = items.filter(read_at__isnull=True)
    if search:
        items = items.filter(Q(text__icontains=search))
    return items.order_by("-created_at", "-id")


def unread_count(viewer: Membership) -> int:
    return Notification.objects.filter(recipient=viewer, read_at__isnull=True).count()


def access_notification(viewer: Membership, notification_id: object) -> Notification:
    """One of the viewer's own notifications; anyone else's (in any workspace) is a 404."""
    return access_in_workspace(
        viewer, Notification.objects.filter(recipient=viewer), notification_id
    )


@dataclass(frozen=True)
class Preference:
    kind: str
    label: str
    help: str
    in_app: bool
    email: bool


def preferences_of(viewer: Membership) -> list[Preference]:
    chosen = {
        p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(member=viewer)
    }
    return [
        Preference(kind.value, kind.label, KIND_HELP[kind], *chosen.get(kind, DEFAULTS[kind]))
        for kind in Kind
    ]
