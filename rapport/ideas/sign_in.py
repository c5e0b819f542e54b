"""Signing in on a workspace's idea portal with a one-time link sent by email.

A visitor gives their email (and name); they are sent a link holding a random token. Only the
token's hash is kept (`PortalLink`), so a leaked database signs nobody in. The link works once,
for LINK_MINUTES, on the portal of the workspace it was asked on; opening it finds or makes the
workspace's contact of that email (`voters.contact_of_email`), who then votes, submits, follows
and comments. Members' sign-in is another matter altogether (Django's auth, `web/views/auth.py`).
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from rapport.contacts.models import Contact
from rapport.core.audit import action, record
from rapport.core.models import Workspace, hash_token
from rapport.ideas.models import PortalLink
from rapport.ideas.voters import contact_of_email, person

#: How long a sign-in link works after it was sent.
LINK_MINUTES = 30
NAME_MAX = 200


class LinkRefused(Exception):
    """A link that signs nobody in; `reason` is "unknown", "used" or "expired"."""

    def __init__(self, reason: str, email: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.email = email


def clean_email(value: object) -> str:
    address = str(value or "").strip()
    if not address:
        raise ValidationError({"email": "Enter your email address."})
    if len(address) > 254:
        raise ValidationError({"email": "That email address is too long (at most 254 characters)."})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": f"{address[:80]!r} is not an email address."}) from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


@action("idea_portal.link")
def request_link(
    workspace: Workspace, *, email: object, name: object = "", address: str | None = None
) -> str:
    """A new sign-in link for `email` on `workspace`'s portal: its token, to put in the email."""
    clean = clean_email(email)
    visitor_name = " ".join(str(name or "").split())
    if len(visitor_name) > NAME_MAX:
        raise ValidationError(
            {"name": f"Your name is {len(visitor_name)} characters; at most 200."}
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PortalLink.objects.create(
        workspace=workspace,
        email=clean,
        name=visitor_name,
        token_hash=hash_token(token),
        requested_from=address or None,
        created_at=now,
        expires_at=now + timedelta(minutes=LINK_MINUTES),
    )
    record(
        actor=None, workspace=workspace, verb="idea_portal.link", obj=link, after={"email": clean}
    )
    return token


def check_link(workspace: Workspace, token: str) -> PortalLink:
    """The link of `token` when it would sign someone in now; LinkRefused saying why not."""
    link = PortalLink.objects.filter(
        workspace=workspace, token_hash=hash_token(token or "")
    ).first()
    if link is None:
        raise LinkRefused("unknown")
    if link.used_at is not None:
        raise LinkRefused("used", link.email)
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired", link.email)
    return link


@dataclass(frozen=True)
class SignedIn:
    contact: Contact
    email: str


@action("idea_portal.sign_in")
def use_link(workspace: Workspace, token: str) -> SignedIn:
    """Uses the link up and signs its visitor in: their contact, found or made by email."""
    found = check_link(workspace, token)
    # Locked, so two tabs opening one link sign in once.
    link = PortalLink.objects.select_for_update().get(pk=found.pk)
    if link.used_at is not None:
        raise LinkRefused("used", link.email)
    contact = person(contact_of_email(workspace, link.email, link.name))
    link.used_at = timezone.now()
    link.contact = contact
    link.save(update_fields=["used_at", "contact"])
    record(
        actor=None,
        workspace=workspace,
        verb="idea_portal.sign_in",
        obj=link,
        after={"email": link.email, "contact": contact.pk},
    )
    return SignedIn(contact=contact, email=link.email)
