"""The review queue of identity resolution: suggested pairs, their decisions, merge history.

Accepting a suggestion merges the pair (`merge.merge_contacts`, the older contact surviving
unless the reviewer picks the other); rejecting it remembers "not the same person", so no later
dedupe suggests or merges that pair again. Starting a batch dedupe is for managers and above,
since it may merge on its own when the workspace's policy allows it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone

from rapport.contacts.models import Contact, DedupeRun, MatchSuggestion, MergeRecord
from rapport.core.access import access_in_workspace
from rapport.core.audit import action, record_by
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require

SEARCH_MAX = 100


# ---- reads -----------------------------------------------------------------------------------


def access_suggestion(member: Membership, suggestion_id: object) -> MatchSuggestion:
    return access_in_workspace(
        member, MatchSuggestion.objects.select_related("contact", "other"), suggestion_id
    )


def access_merge(member: Membership, merge_id: object) -> MergeRecord:
    return access_in_workspace(
        member,
        MergeRecord.objects.select_related("survivor", "merged", "by__user", "unmerged_by__user"),
        merge_id,
    )


def _named(q: str, *prefixes: str) -> Q:
    lowered = " ".join(q.split()).lower()
    if len(lowered) > SEARCH_MAX:
        raise ValidationError({"q": f"Search for at most {SEARCH_MAX} characters."})
    hi = lowered[:-1] + chr(ord(lowered[-1]) + 1)
    found = Q()
    for prefix in prefixes:
        found |= Q(**{f"{prefix}__gte": lowered, f"{prefix}__lt": hi})
    return found


def pending_suggestions(member: Membership, *, q: str = "") -> QuerySet[MatchSuggestion]:
    """Pairs waiting for review, best first; both contacts still unmerged. `q`: a prefix of
    either contact's name or last name."""
    require(member, Verb.SEE_DUPLICATES)
    qs = MatchSuggestion.objects.filter(
        workspace=member.workspace,
        state=MatchSuggestion.State.PENDING,
        contact__merged_into__isnull=True,
        other__merged_into__isnull=True,
    ).select_related("contact", "other")
    if q.strip():
        qs = qs.annotate(
            a=Lower("contact__name"),
            b=Lower("other__name"),
            a_last=Lower("contact__last_name"),
            b_last=Lower("other__last_name"),
        ).filter(_named(q, "a", "b", "a_last", "b_last"))
    return qs.order_by("-score", "-id")


def merge_history(member: Membership, *, contact: Contact | None = None) -> QuerySet[MergeRecord]:
    """Merges of the workspace, newest first (of one contact, as survivor or merged, if given)."""
    require(member, Verb.SEE_DUPLICATES)
    qs = MergeRecord.objects.filter(workspace=member.workspace).select_related(
        "survivor", "merged", "by__user", "unmerged_by__user"
    )
    if contact is not None:
        qs = qs.filter(Q(survivor=contact) | Q(merged=contact))
    return qs.order_by("-merged_at", "-id")


def latest_run(member: Membership) -> DedupeRun | None:
    return (
        DedupeRun.objects.filter(workspace=member.workspace).order_by("-created_at", "-id").first()
    )


def sides(suggestion: MatchSuggestion) -> list[dict[str, Any]]:
    """The pair side by side, field by field, for the review page."""
    a, b = suggestion.contact, suggestion.other
    rows = [
        ("Name", a.name, b.name),
        ("Email", a.email, b.email),
        ("Phone", a.phone, b.phone),
        ("Date of birth", a.birth_date or "", b.birth_date or ""),
        ("Town", a.city, b.city),
        ("Country", a.country, b.country),
        ("Website", a.website, b.website),
        ("Source", a.source, b.source),
    ]
    return [
        {"label": label, "left": left, "right": right, "same": str(left) == str(right)}
        for label, left, right in rows
        if left or right
    ]


# ---- writes ----------------------------------------------------------------------------------


def _pending(suggestion: MatchSuggestion) -> MatchSuggestion:
    fresh = MatchSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if fresh.state != MatchSuggestion.State.PENDING:
        raise ValidationError(f"This pair was already decided: {fresh.get_state_display()}.")
    return fresh


def accept_suggestion(
    actor: Membership, suggestion: MatchSuggestion, *, survivor_id: int | None = None
) -> MergeRecord:
    """Merge the pair: the older contact survives unless `survivor_id` names the other."""
    from rapport.contacts.merge import merge_contacts

    if suggestion.workspace_id != actor.workspace_id:
        raise ValidationError("That suggestion belongs to another workspace.")
    with transaction.atomic():
        suggestion = _pending(suggestion)
        pair = Contact.objects.in_bulk([suggestion.contact_id, suggestion.other_id])
        if survivor_id is None:
            survivor_id = suggestion.contact_id
        if survivor_id not in pair:
            raise ValidationError("The contact to keep must be one of the pair.")
        other_id = (
            suggestion.other_id if survivor_id == suggestion.contact_id else suggestion.contact_id
        )
        return merge_contacts(actor, pair[survivor_id], pair[other_id], score=suggestion.score)


@action("contact.match.reject")
def reject_suggestion(actor: Membership, suggestion: MatchSuggestion) -> MatchSuggestion:
    """Not the same person: remembered, so the pair is never suggested or merged again."""
    require(actor, Verb.MERGE_CONTACTS)
    if suggestion.workspace_id != actor.workspace_id:
        raise ValidationError("That suggestion belongs to another workspace.")
    suggestion = _pending(suggestion)
    suggestion.state = MatchSuggestion.State.NOT_SAME
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_by", "decided_at"])
    record_by(
        actor,
        verb="contact.match.reject",
        obj=suggestion,
        before={"state": MatchSuggestion.State.PENDING},
        after={
            "state": suggestion.state,
            "contact": suggestion.contact_id,
            "other": suggestion.other_id,
        },
    )
    return suggestion


@action("contact.dedupe")
def start_dedupe(actor: Membership, *, contact_ids: list[int] | None = None) -> DedupeRun:
    """Queue a batch dedupe of the workspace (or of these contacts) as a background task."""
    from rapport.contacts.linkage.batch import dedupe_contacts

    require(actor, Verb.DEDUPE)
    ids = sorted(set(contact_ids or []))
    if ids:
        found = Contact.objects.filter(workspace=actor.workspace, pk__in=ids).count()
        if found != len(ids):
            raise ValidationError("Some of those contacts are not in this workspace.")
    run = DedupeRun.objects.create(workspace=actor.workspace, contact_ids=ids, requested_by=actor)
    record_by(actor, verb="contact.dedupe", obj=run, after={"contacts": len(ids) or "all"})
    transaction.on_commit(lambda: dedupe_contacts.enqueue(run.pk))
    return run
