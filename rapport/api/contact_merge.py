"""The identity-resolution router: merge two contacts, undo a merge, the review queue of
suggested duplicates (with each field's part in the score), deciding a suggestion, and a batch
dedupe run in the background with its progress."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.api.auth import member
from rapport.api.bounds import Id, PageNumber
from rapport.contacts import review
from rapport.contacts.access import access_contact
from rapport.contacts.merge import merge_contacts, unmerge
from rapport.contacts.models import DedupeRun, MatchSuggestion, MergeRecord
from rapport.core.access import access_in_workspace

router = Router(tags=["identity resolution"])

PAGE = 25
MAX_PAGE = 100


class ContactMergeIn(Schema):
    other_id: Id = Field(description="The contact merged into this one (it stays, marked merged)")


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    automatic: bool
    score: float | None
    moved: dict[str, int] = Field(description="Rows moved to the survivor, per relation")
    merged_at: datetime
    by: str | None
    unmerged_at: datetime | None
    unmerged_by: str | None


class ContactBrief(Schema):
    id: int
    name: str
    email: str
    phone: str
    city: str


class FieldPart(Schema):
    field: str
    label: str
    level: str
    bits: float | None = Field(description="Evidence in bits: > 0 for, < 0 against")


class MergeSuggestionOut(Schema):
    id: int
    contact: ContactBrief
    other: ContactBrief
    score: float = Field(description="0-1: how likely the two are one person")
    state: str
    explanation: list[FieldPart]
    created_at: datetime


class SuggestionPage(Schema):
    items: list[MergeSuggestionOut]
    count: int
    page: int
    pages: int


class SuggestionFilters(Schema):
    q: str = Field("", description="A name prefix of either contact")
    page: PageNumber = 1
    limit: int = Field(PAGE, ge=1, le=MAX_PAGE)


class AcceptIn(Schema):
    survivor_id: Id | None = Field(None, description="Keep this one (default: the older)")


class DedupeIn(Schema):
    contact_ids: list[Id] = Field(
        default_factory=list, description="Only pairs with one of these (an import's); empty: all"
    )


class DedupeOut(Schema):
    id: int
    state: str
    total_pairs: int
    scored_pairs: int
    suggested_count: int
    merged_count: int
    message: str
    created_at: datetime
    finished_at: datetime | None


def _merge(record: MergeRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "survivor_id": record.survivor_id,
        "merged_id": record.merged_id,
        "automatic": record.automatic,
        "score": record.score,
        "moved": {label: len(ids) for label, ids in record.moved.items()},
        "merged_at": record.merged_at,
        "by": record.by.user.email if record.by_id and record.by else None,
        "unmerged_at": record.unmerged_at,
        "unmerged_by": (
            record.unmerged_by.user.email if record.unmerged_by_id and record.unmerged_by else None
        ),
    }


def _brief(c: Any) -> dict[str, Any]:
    return {"id": c.pk, "name": c.name, "email": c.email, "phone": c.phone, "city": c.city}


def _suggestion(s: MatchSuggestion) -> dict[str, Any]:
    return {
        "id": s.pk,
        "contact": _brief(s.contact),
        "other": _brief(s.other),
        "score": round(s.score, 4),
        "state": s.state,
        "explanation": s.explanation,
        "created_at": s.created_at,
    }


@router.post(
    "/contacts/{contact_id}/merge",
    response=MergeOut,
    summary="Merge another contact into this one: identities, orders, consents, cases move here",
)
def merge(request: HttpRequest, contact_id: Id, payload: ContactMergeIn) -> dict[str, Any]:
    m = member(request)
    survivor = access_contact(m, contact_id)
    other = access_contact(m, payload.other_id)
    record = merge_contacts(m, survivor, other)
    return _merge(review.access_merge(m, record.pk))


@router.post(
    "/contacts/{contact_id}/unmerge",
    response=MergeOut,
    summary="Undo a merge: both contacts come back as they were (managers, or who merged)",
    description=(
        "Call it with the merged contact's id; or with the survivor's id, adding `?other_id=` "
        "when several contacts were merged into it."
    ),
)
def unmerge_contact(
    request: HttpRequest, contact_id: Id, other_id: Id | None = None
) -> dict[str, Any]:
    m = member(request)
    contact = access_contact(m, contact_id)
    live = MergeRecord.objects.filter(workspace=m.workspace, unmerged_at__isnull=True)
    if contact.merged_into_id:
        records = live.filter(merged=contact)
    else:
        records = live.filter(survivor=contact)
        if other_id:
            records = records.filter(merged_id=other_id)
    found = list(records.order_by("-merged_at", "-id")[:2])
    if not found:
        raise ValidationError(f"{contact.name} has no merge to undo.")
    if len(found) > 1 and not contact.merged_into_id:
        raise ValidationError(
            f"Several contacts were merged into {contact.name}: say which with other_id."
        )
    record = found[0]
    unmerge(m, record)
    return _merge(review.access_merge(m, record.pk))


@router.get(
    "/contacts/{contact_id}/merges",
    response=list[MergeOut],
    summary="The merge history of a contact, newest first",
)
def merges_of(request: HttpRequest, contact_id: Id) -> list[dict[str, Any]]:
    m = member(request)
    contact = access_contact(m, contact_id)
    return [_merge(r) for r in review.merge_history(m, contact=contact)[:100]]


@router.get(
    "/merge-suggestions",
    response=SuggestionPage,
    summary="Pairs that may be one person, best first, with each field's part in the score",
)
def suggestions(request: HttpRequest, filters: Query[SuggestionFilters]) -> dict[str, Any]:
    m = member(request)
    page = Paginator(review.pending_suggestions(m, q=filters.q), filters.limit).get_page(
        filters.page
    )
    return {
        "items": [_suggestion(s) for s in page.object_list],
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
    }


@router.post(
    "/merge-suggestions/{suggestion_id}/accept",
    response=MergeOut,
    summary="They are one person: merge them",
)
def accept(request: HttpRequest, suggestion_id: Id, payload: AcceptIn) -> dict[str, Any]:
    m = member(request)
    record = review.accept_suggestion(
        m, review.access_suggestion(m, suggestion_id), survivor_id=payload.survivor_id
    )
    return _merge(review.access_merge(m, record.pk))


@router.post(
    "/merge-suggestions/{suggestion_id}/reject",
    response=MergeSuggestionOut,
    summary="Not the same person: remembered, never suggested again",
)
def reject(request: HttpRequest, suggestion_id: Id) -> dict[str, Any]:
    m = member(request)
    suggestion = review.reject_suggestion(m, review.access_suggestion(m, suggestion_id))
    return _suggestion(review.access_suggestion(m, suggestion.pk))


@router.post(
    "/dedupe-runs",
    response={202: DedupeOut},
    summary="Look for duplicates in the background (managers); poll the run for progress",
)
def start_dedupe(request: HttpRequest, payload: DedupeIn) -> Status[DedupeRun]:
    m = member(request)
    return Status(202, review.start_dedupe(m, contact_ids=payload.contact_ids))


@router.get("/dedupe-runs/{run_id}", response=DedupeOut, summary="A dedupe run's progress")
def dedupe_run(request: HttpRequest, run_id: Id) -> DedupeRun:
    m = member(request)
    return access_in_workspace(m, DedupeRun.objects.all(), run_id)
