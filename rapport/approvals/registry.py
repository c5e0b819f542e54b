"""What each kind of object does when its approval is decided: a registry of handlers per model.

The domain that owns the object registers its handler in its `wiring.py`; approvals never
imports it. The handler runs inside the deciding transaction, so a handler that refuses (raises
`ValidationError`) leaves the approval undecided. The `approval.decided` domain event is emitted
as well, heard after the commit, for reactions that may happen later.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from rapport.approvals.models import Approval
    from rapport.core.models import Membership

#: (approval, the member who decided or None for the machine, edits to apply when approving)
OnDecided = Callable[["Approval", "Membership | None", dict[str, str]], None]


@dataclass(frozen=True)
class ApprovalKind:
    on_decided: OnDecided
    #: Fields of the object an approver may edit while approving ("edit and approve").
    editable: tuple[str, ...] = ()
    #: Where a person sees the object to decide (a path in Rapport), for reminders.
    url: Callable[["Approval"], str] | None = None


KINDS: dict[str, ApprovalKind] = {}


def register(
    model: type[models.Model],
    on_decided: OnDecided,
    editable: tuple[str, ...] = (),
    url: Callable[["Approval"], str] | None = None,
) -> None:
    KINDS[model._meta.label_lower] = ApprovalKind(on_decided, editable, url)


def label_of(approval: "Approval") -> str:
    """The approved object's model label ("cases.case"): the key of its kind here."""
    ct = approval.content_type
    return f"{ct.app_label}.{ct.model}"


def kind_of(approval: "Approval") -> ApprovalKind | None:
    return KINDS.get(label_of(approval))
