"""Notifying people, and their own writes: marking notifications read, choosing preferences.

`notify`, `notify_team` and `notify_role` are what other domains call, from inside their own
action (a note that mentions someone, an assignment, an approval requested): the rows join the
caller's transaction, and the emails are queued only after it commits, so a write that rolls
back notifies nobody. Like posts received, a notification is a machine write whose row is its
own record; the caller's action carries the audit event. What a person does here (mark read,
change preferences) is an audited action.
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.core.audit import action, record_by
from rapport.core.models import Membership, Team, Workspace
from rapport.core.permissions import Verb, require
from rapport.core.roles import Role
from rapport.notifications.models import (
    DEFAULTS,
    TEXT_MAX,
    URL_MAX,
    Kind,
    Notification,
    NotificationPreference,
)

logger = logging.getLogger(__name__)


def _clean_kind(kind: str) -> Kind:
    if kind not in Kind.values:
        raise ValidationError(
            {"kind": f"Unknown notification kind {kind!r}; use one of {', '.join(Kind.values)}."}
        )
    return Kind(kind)


def _clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": "A notification needs a text."})
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def _clean_url(url: str) -> str:
    """A path inside Rapport: never another site, never `javascript:`."""
    url = (url or "").strip()
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValidationError({"url": f"A notification links to a path in Rapport, not {url!r}."})
    if len(url) > URL_MAX:
        raise ValidationError({"url": f"A notification's link has at most {URL_MAX} characters."})
    return url


def channels(members: Iterable[Membership], kind: str) -> dict[int, tuple[bool, bool]]:
    """(in the app, by email) for each member, for `kind`: their preference or the default."""
    members = list(members)
    chosen = {
        p.member_id: (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(member__in=members, kind=kind)
    }
    return {m.pk: chosen.get(m.pk, DEFAULTS[kind]) for m in members}


def _deliver(
    workspace: Workspace,
    recipients: Iterable[Membership],
    kind: str,
    text: str,
    url: str,
    actor: Membership | None,
    email: bool,
) -> list[Notification]:
    kind = _clean_kind(kind)
    text, url = _clean_text(text), _clean_url(url)
    if actor is not None and actor.workspace_id != workspace.pk:
        raise ValidationError({"actor": "The actor belongs to another workspace."})
    people: dict[int, Membership] = {}
    for member in recipients:
        if member.workspace_id != workspace.pk:
            raise ValidationError({"recipient": f"{member} belongs to another workspace."})
        if actor is None or member.pk != actor.pk:  # nobody is told about their own doing
            people[member.pk] = member
    if not people:
        return []
    wanted = channels(people.values(), kind)
    rows = Notification.objects.bulk_create(
        [
            Notification(
                workspace=workspace, recipient=m, kind=kind, actor=actor, text=text, url=url
            )
            for m in people.values()
            if wanted[m.pk][0]
        ]
    )
    mail_to = [m.pk for m in people.values() if email and wanted[m.pk][1]]
    if mail_to:
        from rapport.notifications.tasks import send_notification_emails

        message = {"kind": kind.value, "text": text, "url": url, "workspace_id": workspace.pk}
        transaction.on_commit(lambda: send_notification_emails.enqueue(mail_to, message))
    return rows


def notify(
    recipient: Membership,
    kind: str,
    text: str,
    url: str = "",
    actor: Membership | None = None,
    *,
    email: bool = True,
) -> Notification | None:
    """Tells `recipient` about something, in the app and/or by email as they prefer.

    `kind` is a `Kind` value (mention, assigned, handoff, approval_requested, approval_decided,
    reply_failed, escalated); `text` is one plain sentence (escaped wherever it is shown); `url`
    a path in Rapport (`/w/acme/inbox/12/`). Returns the in-app notification, or None when the
    recipient turned this kind off in the app or is the actor. `email=False` never emails
    (the demo). Raises ValidationError naming a bad kind, text or url.
    """
    rows = _deliver(recipient.workspace, [recipient], kind, text, url, actor, email)
    return rows[0] if rows else None


def notify_members(
    workspace: Workspace,
    members: Iterable[Membership],
    kind: str,
    text: str,
    url: str = "",
    actor: Membership | None = None,
    *,
    email: bool = True,
) -> list[Notification]:
    """`notify` for each of `members` (but the actor): their preferences read at once, one
    email task for all of them."""
    return _deliver(workspace, members, kind, text, url, actor, email)


def notify_team(
    team: Team,
    kind: str,
    text: str,
    url: str = "",
    actor: Membership | None = None,
    *,
    email: bool = True,
) -> list[Notification]:
    """`notify` for every member of `team` (but the actor); one email task for all of them."""
    members = team.members.select_related("user", "workspace")
    return _deliver(team.workspace, members, kind, text, url, actor, email)


def notify_role(
    workspace: Workspace,
    role: str,
    kind: str,
    text: str,
    url: str = "",
    actor: Membership | None = None,
    *,
    at_least: bool = False,
    email: bool = True,
) -> list[Notification]:
    """`notify` for every member with `role` (or, with `at_least`, that role or a higher one)."""
    if role not in Role.values:
        raise ValidationError(
            {"role": f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    members = Membership.objects.filter(workspace=workspace).select_related("user", "workspace")
    chosen = [m for m in members if (m.has_role(Role(role)) if at_least else m.role == role)]
    return _deliver(workspace, chosen, kind, text, url, actor, email)


# A member's own writes --------------------------------------------------------------------


@action("notification.read")
def mark_read(actor: Membership, notifications: list[Notification]) -> int:
    """Marks the actor's own notifications read; returns how many were unread."""
    require(actor, Verb.READ_NOTIFICATIONS)
    if not notifications:
        raise ValidationError("Say which notifications to mark read.")
    ids = [n.pk for n in notifications if n.recipient_id == actor.pk]
    if len(ids) != len(notifications):
        raise ValidationError("Only your own notifications can be marked read.")
    count = Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    record_by(actor, verb="notification.read", obj=actor, after={"ids": ids, "marked": count})
    return count


@action("notification.read_all")
def mark_all_read(actor: Membership) -> int:
    require(actor, Verb.READ_NOTIFICATIONS)
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    record_by(actor, verb="notification.read_all", obj=actor, after={"marked": count})
    return count


@action("notification.preferences")
def set_preferences(actor: Membership, choices: dict[str, tuple[bool, bool]]) -> None:
    """`choices` maps kinds to (in the app, by email); kinds left out keep what they had."""
    require(actor, Verb.NOTIFICATION_SETTINGS)
    for kind in choices:
        _clean_kind(kind)
    current = {k: channels([actor], k)[actor.pk] for k in choices}
    for kind, (in_app, email) in choices.items():
        NotificationPreference.objects.update_or_create(
            member=actor, kind=kind, defaults={"in_app": bool(in_app), "email": bool(email)}
        )
    record_by(
        actor,
        verb="notification.preferences",
        obj=actor,
        before={k: {"in_app": v[0], "email": v[1]} for k, v in current.items()},
        after={k: {"in_app": bool(v[0]), "email": bool(v[1])} for k, v in choices.items()},
    )
