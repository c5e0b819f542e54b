"""The customer's status page: public links (created and revoked by agents) and what the page
may show: the subject, the status in the customer's words, the public updates and the current
step. Nothing internal (comments, tasks, owners, approvals, amounts) is ever read here.

The current step comes from the domains that drive a case along known steps (playbooks): they
register a `StepReader` in `STEP_READERS` from their `wiring.py`; cases never imports them.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.cases.activity import log
from rapport.cases.models import Case, Comment, PublicLink, Status
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require

#: The status as the customer reads it; "waiting on approval" is an internal matter.
CUSTOMER_WORDS = {
    Status.NEW: "We have received your request",
    Status.OPEN: "We are working on it",
    Status.WAITING_CUSTOMER: "We are waiting for your reply",
    Status.WAITING_APPROVAL: "We are working on it",
    Status.WAITING_THIRD_PARTY: "We are waiting for a partner to answer",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}
UPDATES_SHOWN = 50
logger = logging.getLogger(__name__)

#: The step a case is at, in the customer's words, or None when the reader knows of none.
StepReader = Callable[[Case], str | None]
#: Asked in order; the first step found is shown.
STEP_READERS: list[StepReader] = []


def register_step_reader(reader: StepReader) -> None:
    if reader not in STEP_READERS:
        STEP_READERS.append(reader)


@action("case.public_link.create")
def create_public_link(actor: Membership, case: Case) -> PublicLink:
    """The case's live public link: a new unguessable one, or the one it already has."""
    require(actor, Verb.SHARE_STATUS)
    require_same_workspace(actor, case)
    existing = PublicLink.objects.filter(case=case, revoked_at__isnull=True).first()
    if existing is not None:
        return existing
    link = PublicLink.objects.create(
        workspace=actor.workspace, case=case, token=secrets.token_urlsafe(32), created_by=actor
    )
    event = record_by(actor, verb="case.public_link.create", obj=link, after={"case": case.pk})
    log(actor, case, "shared a public status link with the customer", event=event)
    return link


@action("case.public_link.revoke")
def revoke_public_link(actor: Membership, link: PublicLink) -> PublicLink:
    """The link stops working at once (its page answers 404)."""
    require(actor, Verb.SHARE_STATUS)
    require_same_workspace(actor, link)
    if link.revoked_at is not None:
        raise ValidationError("This public link was already revoked.")
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    event = record_by(actor, verb="case.public_link.revoke", obj=link, after={"case": link.case_id})
    log(actor, link.case, "revoked the public status link", event=event)
    return link


def live_link(case: Case) -> PublicLink | None:
    return PublicLink.objects.filter(case=case, revoked_at__isnull=True).first()


@dataclass(frozen=True)
class PublicUpdate:
    body: str
    created_at: datetime


@dataclass(frozen=True)
class PublicStatus:
    """All the status page shows; built from explicit public fields only."""

    reference: str
    subject: str
    status: str
    resolved: bool
    step: str | None
    updates: list[PublicUpdate]
    updated_at: datetime
    workspace_name: str


def current_step(case: Case) -> str | None:
    """The step the registered readers say the case is at (None when none knows one)."""
    for reader in STEP_READERS:
        try:
            step = reader(case)
        except Exception:  # the customer's page must not fail on a playbook's state
            logger.exception("current step of case #%s", case.pk)
            continue
        if step:
            return step
    return None


def public_status(token: str) -> PublicStatus | None:
    """What the status page at /status/<token>/ shows, or None (unknown or revoked: a 404)."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        return None
    link = (
        PublicLink.objects.select_related("case__workspace", "case__merged_into")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if link is None:
        return None
    case = link.case
    shown = case.merged_into if case.merged_into_id and case.merged_into else case
    updates = [
        PublicUpdate(body=c.body, created_at=c.created_at)
        for c in Comment.objects.filter(case=shown, public=True)
        .only("body", "created_at")
        .order_by("-created_at", "-id")[:UPDATES_SHOWN]
    ]
    return PublicStatus(
        reference=f"#{case.pk}",
        subject=case.subject,
        status=CUSTOMER_WORDS.get(Status(shown.status), "We are working on it"),
        resolved=shown.status in (Status.RESOLVED, Status.CLOSED),
        step=current_step(shown) if shown.status not in (Status.RESOLVED, Status.CLOSED) else None,
        updates=updates,
        updated_at=shown.updated_at,
        workspace_name=case.workspace.name,
    )
