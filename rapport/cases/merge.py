"""Merging a duplicate case into another, and an admin's unmerge.

A merge moves the duplicate's tasks, comments, watchers, child cases and (when the other case has
none) its conversation to the case it is merged into, then closes the duplicate as "merged into
#N". What moved and what the duplicate was are kept on a CaseMerge row and in the audit event, so
an unmerge puts back exactly that. The duplicate's own activity stays with it; its public status
link keeps working and shows the case it was merged into.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.cases.actions import FIELDS, MAX_DEPTH, _label
from rapport.cases.activity import log, tell_watchers
from rapport.cases.events import CASE_MERGED, CASE_STATUS_CHANGING, CASE_UNMERGED
from rapport.cases.models import Case, CaseMerge, Comment, Status, Task
from rapport.core import hooks
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by, snapshot
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require


def _is_ancestor(candidate: Case, case: Case) -> bool:
    seen = case
    for _ in range(MAX_DEPTH):
        if seen.parent_id is None:
            return False
        if seen.parent_id == candidate.pk:
            return True
        seen = Case.objects.only("pk", "parent_id").get(pk=seen.parent_id)
    return False


def merge_problem(source: Case, target: Case) -> str:
    """Why `source` may not be merged into `target` now ("" when it may)."""
    if source.pk == target.pk:
        return f"Case #{source.pk} cannot be merged into itself."
    if source.workspace_id != target.workspace_id:
        return f"Case #{target.pk} belongs to another workspace."
    if source.merged_into_id:
        return f"Case #{source.pk} is already merged into case #{source.merged_into_id}."
    if target.merged_into_id:
        return (
            f"Case #{target.pk} was itself merged into case #{target.merged_into_id}; merge "
            f"into #{target.merged_into_id} instead."
        )
    if target.status == Status.CLOSED:
        return f"Case #{target.pk} is closed; reopen it first, or merge into an open case."
    if _is_ancestor(source, target):
        return (
            f"Case #{target.pk} is a child of case #{source.pk}; a case cannot be merged into "
            f"one of its own children."
        )
    return ""


@action("case.merge")
def merge(actor: Membership, source: Case, *, into: Case) -> CaseMerge:
    """Merges the duplicate `source` into `into`; refuses with the reason when it may not."""
    require(actor, Verb.MERGE_CASES)
    require_same_workspace(actor, source)
    if into.workspace_id != actor.workspace_id:
        raise ValidationError({"into": f"Case #{into.pk} belongs to another workspace."})
    list(Case.objects.select_for_update().filter(pk__in=[source.pk, into.pk]))  # lock both
    source.refresh_from_db()
    into.refresh_from_db()
    target = into
    problem = merge_problem(source, target)
    if problem:
        raise ValidationError({"into": problem})
    before = snapshot(source, [*FIELDS, "resolved_at", "closed_at", "merged_into"])
    moved: dict[str, Any] = {
        "status": source.status,
        "resolved_at": source.resolved_at.isoformat() if source.resolved_at else None,
        "closed_at": source.closed_at.isoformat() if source.closed_at else None,
        "tasks": list(Task.objects.filter(case=source).values_list("pk", flat=True)),
        "comments": list(Comment.objects.filter(case=source).values_list("pk", flat=True)),
        "children": list(
            Case.objects.filter(parent=source).exclude(pk=target.pk).values_list("pk", flat=True)
        ),
        "watchers": list(
            source.watchers.exclude(pk__in=target.watchers.values("pk")).values_list(
                "pk", flat=True
            )
        ),
        "conversation": None,
        "post": None,
    }
    Task.objects.filter(pk__in=moved["tasks"]).update(case=target)
    Comment.objects.filter(pk__in=moved["comments"]).update(case=target)
    Case.objects.filter(pk__in=moved["children"]).update(parent=target)
    target.watchers.add(*moved["watchers"])
    if target.conversation_id is None and source.conversation_id is not None:
        moved["conversation"], moved["post"] = source.conversation_id, source.post_id
        target.conversation_id, target.post_id = source.conversation_id, source.post_id
        source.conversation_id = source.post_id = None
    now = timezone.now()
    source.status, source.closed_at, source.merged_into = Status.CLOSED, now, target
    source.save()
    target.save()
    record = CaseMerge.objects.create(
        workspace=actor.workspace, source=source, target=target, moved=moved, merged_by=actor
    )
    event = record_by(
        actor,
        verb="case.merge",
        obj=source,
        before=before,
        after={"merged_into": target.pk, "merge": record.pk, "moved": moved},
    )
    counts = f"{len(moved['tasks'])} task(s), {len(moved['comments'])} comment(s)"
    log(actor, source, f"merged this case into case #{target.pk} ({counts} moved)", event=event)
    log(actor, target, f"merged case #{source.pk} into this case ({counts} moved)", event=event)
    tell_watchers(
        actor,
        target,
        f"{actor.user.display_name} merged case #{source.pk} into case #{target.pk}",
    )
    emit(
        CASE_MERGED,
        source.workspace_id,
        actor=actor,
        object_id=source.pk,
        into=target.pk,
        merge=record.pk,
    )
    if moved["status"] != Status.CLOSED:
        hooks.run(
            CASE_STATUS_CHANGING,
            case=source,
            actor=actor,
            before=moved["status"],
            after=Status.CLOSED,
        )
    return record


def _when(value: str | None) -> Any:
    return datetime.datetime.fromisoformat(value) if value else None


@action("case.unmerge")
def unmerge(actor: Membership, source: Case) -> Case:
    """Puts back what merging `source` moved and restores it as it was (admins only)."""
    require(actor, Verb.UNMERGE_CASES)
    require_same_workspace(actor, source)
    list(Case.objects.select_for_update().filter(pk=source.pk))
    source.refresh_from_db()
    record = (
        CaseMerge.objects.select_for_update()
        .filter(source=source, undone_at__isnull=True)
        .select_related("target")
        .first()
    )
    if record is None or not source.merged_into_id:
        raise ValidationError(f"Case #{source.pk} is not merged into another case.")
    target, moved = record.target, record.moved
    before = snapshot(source, [*FIELDS, "resolved_at", "closed_at", "merged_into"])
    tasks = Task.objects.filter(pk__in=moved["tasks"], case=target).update(case=source)
    comments = Comment.objects.filter(pk__in=moved["comments"], case=target).update(case=source)
    Case.objects.filter(pk__in=moved["children"], parent=target).update(parent=source)
    target.watchers.remove(*moved["watchers"])
    if moved.get("conversation") and target.conversation_id == moved["conversation"]:
        source.conversation_id, source.post_id = moved["conversation"], moved["post"]
        target.conversation_id = target.post_id = None
    source.status = moved["status"]
    source.resolved_at, source.closed_at = _when(moved["resolved_at"]), _when(moved["closed_at"])
    source.merged_into = None
    source.save()
    target.save()
    record.undone_at, record.undone_by = timezone.now(), actor
    record.save(update_fields=["undone_at", "undone_by"])
    event = record_by(
        actor,
        verb="case.unmerge",
        obj=source,
        before=before,
        after={**snapshot(source, [*FIELDS, "resolved_at", "closed_at"]), "merge": record.pk},
    )
    words = f"{tasks} task(s) and {comments} comment(s) moved back"
    log(actor, source, f"unmerged this case from case #{target.pk}; {words}", event=event)
    log(actor, target, f"unmerged case #{source.pk} from this case; {words}", event=event)
    emit(
        CASE_UNMERGED,
        source.workspace_id,
        actor=actor,
        object_id=source.pk,
        into=target.pk,
        merge=record.pk,
    )
    if source.status != Status.CLOSED:
        hooks.run(
            CASE_STATUS_CHANGING,
            case=source,
            actor=actor,
            before=Status.CLOSED,
            after=source.status,
        )
    return source


def merged_label(case: Case) -> str:
    """ "Closed (merged into #12)" for a merged case; its status label otherwise."""
    if case.merged_into_id:
        return f"{_label(Status.CLOSED).capitalize()} (merged into #{case.merged_into_id})"
    return Status(case.status).label
