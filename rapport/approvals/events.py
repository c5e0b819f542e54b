"""What happens to approvals that other domains may react to (see `rapport.core.events`).

Every event names the approval (`object_id`) and what it is about: `kind`, the approved
object's model label as the registry knows it ("cases.case", "engagement.reply"), and `object`,
its id. The object's own domain reacts to a decision inside the deciding transaction, through
the registry (`rapport.approvals.registry`); these events are for everyone else, after the
commit: the case's stream, the profile's timeline, the contribution ledger. Approvals' writes
emit them through `tell`.
"""

from typing import Any

from rapport.approvals.models import Approval
from rapport.approvals.registry import label_of
from rapport.core.events import EventType, declare, emit
from rapport.core.models import Membership

ABOUT = {"kind": str, "object": int}

APPROVAL_REQUESTED = declare(
    "approval.requested",
    "Somebody asked a person, a role or a team to approve something.",
    about="approvals.approval",
    data=ABOUT,
)
APPROVAL_DECIDED = declare(
    "approval.decided",
    "An approval was approved or rejected; `in_time`: before it was due to be escalated (the "
    "workspace's escalation delay after it was asked).",
    about="approvals.approval",
    data={**ABOUT, "decision": str, "in_time": bool},
)
APPROVAL_WITHDRAWN = declare(
    "approval.withdrawn",
    "The requester (or an admin) took a pending approval request back.",
    about="approvals.approval",
    data=ABOUT,
)
APPROVAL_EXPIRED = declare(
    "approval.expired",
    "A pending approval passed its expiry undecided; nobody can decide it any more.",
    about="approvals.approval",
    data=ABOUT,
)
APPROVAL_REMINDED = declare(
    "approval.reminded",
    "The approvers of an approval waiting past the workspace's reminder delay were reminded.",
    about="approvals.approval",
    data=ABOUT,
)
APPROVAL_ESCALATED = declare(
    "approval.escalated",
    "An approval waiting past the workspace's escalation delay was escalated above its approvers.",
    about="approvals.approval",
    data=ABOUT,
)
APPROVAL_FILES_ADDED = declare(
    "approval.files_added",
    "Supporting files were added to a pending approval.",
    about="approvals.approval",
    data={**ABOUT, "files": int},
)


def tell(event: EventType, approval: Approval, actor: Membership | None, **data: Any) -> None:
    """Emits `event` about `approval` (inside its write), naming what it is about."""
    emit(
        event,
        approval.workspace_id,
        actor=actor,
        object_id=approval.pk,
        kind=label_of(approval),
        object=approval.object_id,
        **data,
    )
