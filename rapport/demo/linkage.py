"""Identity resolution in the demo workspace: once every customer exists (`finish` runs after
the contacts demo's own), a batch dedupe fills the review queue, and one pair is merged by Maya
Chen so the merge history has an entry to undo.

The pairs come from the demo's customers imported twice from the ERP with a nickname or a typo
("Jon Smyth" beside "Jonathan Smith", both born on the same day in the same town): no email,
phone or handle links them, only probabilistic matching. Idempotent: a second run finds the
queue filled and does nothing.
"""

from rapport.contacts.linkage.batch import dedupe_now
from rapport.contacts.models import LinkagePolicy, MatchSuggestion, MergeRecord
from rapport.contacts.review import accept_suggestion
from rapport.core.models import Membership, Workspace

MERGED_BY = "maya@acme.example"


def finish(workspace: Workspace, owner: Membership) -> None:
    LinkagePolicy.objects.get_or_create(workspace=workspace)  # review everything: no auto merge
    if MatchSuggestion.objects.filter(workspace=workspace).exists():
        return
    dedupe_now(workspace.pk)
    _merge_one(workspace, owner)


def _merge_one(workspace: Workspace, owner: Membership) -> None:
    if MergeRecord.objects.filter(workspace=workspace).exists():
        return
    pending = MatchSuggestion.objects.filter(
        workspace=workspace, state=MatchSuggestion.State.PENDING
    ).select_related("contact", "other")
    suggestion = (
        pending.filter(other__source="erp").order_by("-score", "id").first()
        or pending.order_by("-score", "id").first()
    )
    if suggestion is None:
        return
    maya = Membership.objects.filter(workspace=workspace, user__email=MERGED_BY).first()
    keep = suggestion.contact if suggestion.contact.source != "erp" else suggestion.other
    accept_suggestion(maya or owner, suggestion, survivor_id=keep.pk)
