"""Batch dedupe of a workspace, or of some of its contacts (an import's), in the background.

The whole workspace is blocked in memory with the matcher's keys (one pass over the contacts'
matching fields: about 1 KB a contact); a run limited to some contacts (up to
CONTACTS_BY_QUERY of them) asks the database for each one's candidates instead, with
`find_matches`'s indexed queries. Each pair scoring at least the workspace's review threshold
becomes a MatchSuggestion (pair ordered contact_id < other_id), unless a person already decided
it ("not the same person" is remembered; a merged pair stays merged). When the workspace's
LinkagePolicy allows it, pairs at or above its merge threshold are merged at once (the older
contact survives) and the merge is in the history like any other.

A finished import of contacts starts a run over its contacts by itself (`dedupe_imported`, on
`contacts.imported`).
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from rapport.contacts.linkage.blocking import dedupe_pairs
from rapport.contacts.linkage.matcher import deterministic, explain
from rapport.contacts.linkage.records import Record
from rapport.contacts.linkage.resolve import (
    RECORD_FIELDS,
    candidate_ids,
    decided_pairs,
    policy_of,
    records_of,
)
from rapport.contacts.linkage.scoring import probability, weigh
from rapport.contacts.models import Contact, DedupeRun, ImportJob, MatchSuggestion

CONTACTS_BY_QUERY = 5000
PROGRESS_EVERY = 5000  # pairs between progress writes


def _pairs(run: DedupeRun) -> tuple[dict[int, Record], list[tuple[int, int]]]:
    active = Contact.objects.filter(workspace_id=run.workspace_id, merged_into__isnull=True)
    chosen = set(run.contact_ids or [])
    if chosen and len(chosen) <= CONTACTS_BY_QUERY:
        pairs: set[tuple[int, int]] = set()
        for contact in active.filter(pk__in=chosen):
            for other in candidate_ids(contact):
                pairs.add((min(contact.pk, other), max(contact.pk, other)))
        ids = {pk for pair in pairs for pk in pair}
        records = {r.key: r for r in records_of(active.filter(pk__in=ids).values(*RECORD_FIELDS))}
        return records, sorted(p for p in pairs if p[0] in records and p[1] in records)
    listed = records_of(active.order_by("pk").values(*RECORD_FIELDS).iterator(chunk_size=5000))
    found = []
    for i, j in dedupe_pairs(listed):
        low, high = sorted((listed[i].key, listed[j].key))
        if not chosen or low in chosen or high in chosen:
            found.append((low, high))
    return {r.key: r for r in listed}, sorted(found)


def dedupe(run: DedupeRun) -> DedupeRun:
    """Run a DedupeRun to its end, saving its progress as it goes."""
    from rapport.contacts.merge import merge_contacts

    policy = policy_of(run.workspace_id)
    run.state = DedupeRun.State.RUNNING
    run.save(update_fields=["state"])
    records, pairs = _pairs(run)
    run.total_pairs = len(pairs)
    run.save(update_fields=["total_pairs"])
    decided = decided_pairs(run.workspace_id)
    pending = {
        (s.contact_id, s.other_id): s
        for s in MatchSuggestion.objects.filter(
            workspace_id=run.workspace_id, state=MatchSuggestion.State.PENDING
        )
    }
    merged: set[int] = set()
    new: list[MatchSuggestion] = []
    changed: list[MatchSuggestion] = []
    for n, (low, high) in enumerate(pairs, 1):
        if n % PROGRESS_EVERY == 0:
            run.scored_pairs = n
            run.save(update_fields=["scored_pairs"])
        if (low, high) in decided or low in merged or high in merged:
            continue
        a, b = records[low], records[high]
        if deterministic(a, b) is None and probability(weigh(a, b)) < policy.review_threshold:
            continue
        score = explain(a, b)
        if policy.auto_merge and score.score >= policy.merge_threshold:
            both = Contact.objects.in_bulk([low, high])
            try:
                merge_contacts(None, both[low], both[high], automatic=True, score=score.score)
            except ValidationError:  # merged by someone since the run started
                continue
            merged.add(high)
            run.merged_count += 1
            continue
        explanation = list(score.explanation)
        if (low, high) in pending:
            suggestion = pending[(low, high)]
            suggestion.score, suggestion.explanation = score.score, explanation
            changed.append(suggestion)
        else:
            new.append(
                MatchSuggestion(
                    workspace_id=run.workspace_id,
                    contact_id=low,
                    other_id=high,
                    score=score.score,
                    explanation=explanation,
                )
            )
        run.suggested_count += 1
    with transaction.atomic():
        MatchSuggestion.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        MatchSuggestion.objects.bulk_update(changed, ["score", "explanation"], batch_size=500)
    run.scored_pairs = len(pairs)
    run.state = DedupeRun.State.DONE
    run.finished_at = timezone.now()
    run.message = (
        f"{run.total_pairs} candidate pairs compared: {run.suggested_count} to review, "
        f"{run.merged_count} merged automatically."
    )
    run.save()
    return run


@task()
def dedupe_contacts(run_id: int) -> dict[str, int]:
    """The background task behind a DedupeRun."""
    run = DedupeRun.objects.get(pk=run_id)
    try:
        dedupe(run)
    except Exception as error:
        DedupeRun.objects.filter(pk=run_id).update(
            state=DedupeRun.State.FAILED, message=f"Failed: {error}", finished_at=timezone.now()
        )
        raise
    return {"suggested": run.suggested_count, "merged": run.merged_count}


def dedupe_now(workspace_id: int, contact_ids: Sequence[int] = ()) -> DedupeRun:
    """Run a dedupe in this process (the demo, tests, the command line)."""
    run = DedupeRun.objects.create(workspace_id=workspace_id, contact_ids=list(contact_ids))
    return dedupe(run)


def dedupe_imported(workspace_id: int, job_id: int, *, source: str) -> DedupeRun | None:
    """Looks for duplicates of the contacts an import created or changed, in the background: the
    contacts of the import's source changed since the job started. None when there are none."""
    job = ImportJob.objects.filter(pk=job_id, workspace_id=workspace_id).first()
    if job is None:
        return None
    ids = list(
        Contact.objects.filter(
            workspace_id=workspace_id,
            source=source,
            updated_at__gte=job.created_at,
            merged_into__isnull=True,
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    if not ids:
        return None
    run = DedupeRun.objects.create(
        workspace_id=workspace_id, contact_ids=ids, requested_by=job.requested_by
    )
    dedupe_contacts.enqueue(run.pk)
    return run
