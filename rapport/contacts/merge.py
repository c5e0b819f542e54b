"""Merging two contacts that are one person, and undoing it.

`merge_contacts(actor, survivor, other)` moves everything that points at `other` to `survivor`:
identities, orders, accounts, interactions, every consent row (consent history is never lost),
the profile's timeline entries, cases, and any foreign key to Contact that a later app adds — the
relations are read from `Contact._meta` at merge time, so a new one is not forgotten. The ids
moved and both contacts' fields before are kept on a `MergeRecord`; the survivor's empty fields
are filled from the other's; `other` stays, marked `merged_into` the survivor.

`unmerge(actor, record)` moves those rows back and restores the fields the merge filled in, and
the other contact as it was. Rows created on the survivor after the merge stay on the survivor.
Each writes its audit event and emits its domain event (`contact.merged`, `contact.unmerged`).

Who may: an agent or above merges (the people who answer customers are the ones who notice
duplicates); a manager or above unmerges, and so may the person who made that merge.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from rapport.contacts.events import CONTACT_MERGED, CONTACT_MERGING, CONTACT_UNMERGED
from rapport.contacts.models import CONTACT_FIELDS, Contact, MatchSuggestion, MergeRecord
from rapport.core import hooks
from rapport.core.audit import action, record, record_by
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require, require_own_or

#: Relations to Contact that a merge does not move: the merge bookkeeping itself, and the
#: `merged_into` chain (contacts merged into `other` earlier keep pointing at it).
NOT_MOVED = {
    ("contacts.contact", "merged_into"),
    ("contacts.matchsuggestion", "contact"),
    ("contacts.matchsuggestion", "other"),
    ("contacts.mergerecord", "survivor"),
    ("contacts.mergerecord", "merged"),
}

#: A contact's own fields that a merge does not fill in: the survivor keeps its name and its
#: record's source and id; tags, attributes and do-not-contact are combined (`filled_fields`).
NOT_FILLED = {"name", "tags", "attributes", "do_not_contact", "source", "external_id"}
_COLUMN = {field.name: field.attname for field in Contact._meta.concrete_fields}
#: Fields of the survivor a merge fills in when empty, from the other contact.
FILLED = [
    *(_COLUMN[name] for name in CONTACT_FIELDS if name not in NOT_FILLED),
    "email_key",  # follows the email
]
#: Snapshotted on both contacts so unmerge can restore them: all a merge may change.
SNAPSHOT = [
    *(_COLUMN[name] for name in CONTACT_FIELDS),
    "email_key",
    "lifetime_value",
    "merged_into_id",
]


def relations() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key to Contact a merge moves."""
    found = []
    for rel in Contact._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete):
            continue
        if not (rel.one_to_many or rel.one_to_one):
            continue
        model = rel.related_model
        field = rel.field  # type: ignore[union-attr]
        if not isinstance(model, type) or (model._meta.label_lower, field.name) in NOT_MOVED:
            continue
        found.append((model, field.name))
    return found


def _json(value: Any) -> Any:
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def _snapshot(contact: Contact) -> dict[str, Any]:
    return {name: _json(getattr(contact, name)) for name in SNAPSHOT}


def _restore(contact: Contact, values: dict[str, Any], names: list[str]) -> None:
    by_attname = {f.attname: f for f in contact._meta.concrete_fields}
    for name in names:
        if name not in values:
            continue
        field = by_attname[name]
        value = values[name]
        setattr(contact, name, None if value is None else field.to_python(value))


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def filled_fields(survivor: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The survivor's fields a merge changes, given both contacts' snapshots before it."""
    changed = [n for n in FILLED if _empty(survivor.get(n)) and not _empty(other.get(n))]
    if other.get("tags") and set(other["tags"]) - set(survivor.get("tags") or []):
        changed.append("tags")
    if set(other.get("attributes") or {}) - set(survivor.get("attributes") or {}):
        changed.append("attributes")
    if other.get("do_not_contact") and not survivor.get("do_not_contact"):
        changed.append("do_not_contact")
    if Decimal(str(other.get("lifetime_value") or 0)):
        changed.append("lifetime_value")
    return changed


def _check(actor: Membership | None, survivor: Contact, other: Contact) -> None:
    if survivor.pk == other.pk:
        raise ValidationError("A contact cannot be merged into itself.")
    if survivor.workspace_id != other.workspace_id or (
        actor is not None and actor.workspace_id != survivor.workspace_id
    ):
        raise ValidationError("Contacts of different workspaces cannot be merged.")
    for contact in (survivor, other):
        if contact.merged_into_id:
            raise ValidationError(
                f"{contact.name} was already merged into another contact; "
                "merge into that one instead."
            )


@action("contact.merge")
def merge_contacts(
    actor: Membership | None,
    survivor: Contact,
    other: Contact,
    *,
    automatic: bool = False,
    score: float | None = None,
) -> MergeRecord:
    """Merge `other` into `survivor` (see the module docstring). `actor` is None for an
    automatic merge the workspace's linkage policy allowed."""
    if actor is not None:
        require(actor, Verb.MERGE_CONTACTS)
    elif not automatic:
        raise PermissionDenied("Only automatic merges run without a person.")
    # lock and re-read both, so two merges of the same contact cannot interleave
    pair = {
        c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[survivor.pk, other.pk])
    }
    if survivor.pk != other.pk and len(pair) < 2:
        raise ValidationError("That contact no longer exists.")
    survivor, other = pair[survivor.pk], pair[other.pk]
    _check(actor, survivor, other)

    survivor_before, other_before = _snapshot(survivor), _snapshot(other)
    hooks.run(CONTACT_MERGING, survivor=survivor, other=other)
    moved: dict[str, list[int]] = {}
    for model, field in relations():
        rows = model._default_manager.filter(**{field: other.pk})
        if (
            model._meta.get_field(field).one_to_one
            and model._default_manager.filter(**{field: survivor.pk}).exists()
        ):
            continue  # the survivor already has its own; the other's stays with the other
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            model._default_manager.filter(pk__in=ids).update(**{field: survivor.pk})
            moved[f"{model._meta.label_lower}.{field}"] = ids

    changed = filled_fields(survivor_before, other_before)
    for name in changed:
        if name == "tags":
            survivor.tags = list(survivor.tags or []) + [
                t for t in other.tags if t not in (survivor.tags or [])
            ]
        elif name == "attributes":
            survivor.attributes = {**other.attributes, **(survivor.attributes or {})}
        elif name == "do_not_contact":
            survivor.do_not_contact = True  # the stricter wish wins
        elif name == "lifetime_value":
            survivor.lifetime_value = survivor.lifetime_value + other.lifetime_value
        else:
            setattr(survivor, name, getattr(other, name))
    survivor.save()
    other.merged_into = survivor
    other.save(update_fields=["merged_into", "updated_at"])

    merge = MergeRecord.objects.create(
        workspace_id=survivor.workspace_id,
        survivor=survivor,
        merged=other,
        by=actor,
        automatic=automatic,
        score=score,
        moved=moved,
        survivor_before=survivor_before,
        merged_before=other_before,
    )
    low, high = sorted((survivor.pk, other.pk))
    MatchSuggestion.objects.filter(
        workspace_id=survivor.workspace_id, contact_id=low, other_id=high
    ).update(state=MatchSuggestion.State.MERGED, decided_by=actor, decided_at=timezone.now())
    after = {
        "merge_record": merge.pk,
        "merged": other.pk,
        "automatic": automatic,
        "score": score,
        "moved": {label: len(ids) for label, ids in moved.items()},
        "filled": changed,
    }
    if actor is not None:
        record_by(actor, verb="contact.merge", obj=survivor, before=survivor_before, after=after)
    else:
        record(
            actor=None,
            workspace=survivor.workspace,
            verb="contact.merge",
            obj=survivor,
            before=survivor_before,
            after=after,
        )
    emit(
        CONTACT_MERGED,
        survivor.workspace_id,
        actor=actor,
        object_id=other.pk,
        into=survivor.pk,
        merge=merge.pk,
        automatic=automatic,
    )
    return merge


@action("contact.unmerge")
def unmerge(actor: Membership, merge: MergeRecord) -> Contact:
    """Undo a merge: the moved rows go back, both contacts are restored; returns the other.

    The pair is then remembered as "not the same person", so batch dedupe does not merge or
    suggest it again."""
    if merge.workspace_id != actor.workspace_id:
        raise ValidationError("That merge belongs to another workspace.")
    require_own_or(actor, merge.by_id, Verb.MERGE_CONTACTS, Verb.UNMERGE_ANY)
    merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at:
        raise ValidationError("This merge was already undone.")
    pair = {
        c.pk: c
        for c in Contact.objects.select_for_update().filter(
            pk__in=[merge.survivor_id, merge.merged_id]
        )
    }
    survivor, other = pair[merge.survivor_id], pair[merge.merged_id]
    if survivor.merged_into_id:
        raise ValidationError(
            f"{survivor.name} was merged into another contact since; undo that merge first."
        )
    if other.merged_into_id != survivor.pk:
        raise ValidationError(f"{other.name} is no longer merged into {survivor.name}.")

    survivor_before = _snapshot(survivor)
    for label, ids in merge.moved.items():
        app_model, field = label.rsplit(".", 1)
        model = Contact._meta.apps.get_model(app_model)
        model._default_manager.filter(pk__in=ids, **{field: survivor.pk}).update(
            **{field: other.pk}
        )
    _restore(
        survivor, merge.survivor_before, filled_fields(merge.survivor_before, merge.merged_before)
    )
    survivor.save()
    _restore(other, merge.merged_before, SNAPSHOT)
    other.save()

    merge.unmerged_at = timezone.now()
    merge.unmerged_by = actor
    merge.save(update_fields=["unmerged_at", "unmerged_by"])
    low, high = sorted((survivor.pk, other.pk))
    MatchSuggestion.objects.update_or_create(
        workspace_id=survivor.workspace_id,
        contact_id=low,
        other_id=high,
        defaults={
            "state": MatchSuggestion.State.NOT_SAME,
            "decided_by": actor,
            "decided_at": merge.unmerged_at,
        },
        create_defaults={
            "score": merge.score or 0.0,
            "state": MatchSuggestion.State.NOT_SAME,
            "decided_by": actor,
            "decided_at": merge.unmerged_at,
        },
    )
    record_by(
        actor,
        verb="contact.unmerge",
        obj=survivor,
        before=survivor_before,
        after={"merge_record": merge.pk, "restored": other.pk, "survivor": _snapshot(survivor)},
    )
    emit(
        CONTACT_UNMERGED,
        survivor.workspace_id,
        actor=actor,
        object_id=other.pk,
        survivor=survivor.pk,
        merge=merge.pk,
    )
    return other
