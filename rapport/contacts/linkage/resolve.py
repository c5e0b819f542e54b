"""Identity resolution against the database: every lookup is an indexed query, so resolving one
identity or one contact costs a few milliseconds whatever the workspace's size.

- `resolve_identities(workspace_id, ids)`: link new identities to a contact by deterministic keys
  only (the same handle on the same network already linked to someone; an email identity's
  normalised address; a phone identity's E.164 number). A key pointing at two different
  contacts links nothing: that is for a person to decide. `identities.linked` tells the others
  (the profile's timeline takes the identities' posts and conversations).
- `find_matches(contact)`: candidates for one contact from indexed blocking queries (email,
  phone, handles, the same last name, the neighbours in name order), scored by the matcher.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from rapport.contacts import normalize
from rapport.contacts.events import IDENTITIES_LINKED
from rapport.contacts.linkage.matcher import explain
from rapport.contacts.linkage.records import Record, make_record
from rapport.contacts.linkage.scoring import DEFAULT_THRESHOLD, Score
from rapport.contacts.models import Contact, Identity, LinkagePolicy, MatchSuggestion
from rapport.core.events import emit

EMAIL_NETWORKS = {"email"}
PHONE_NETWORKS = {"phone", "sms", "whatsapp", "call"}
#: Candidates per blocking query in find_matches: a common surname is not worth more.
BLOCK_LIMIT = 100
#: Neighbours on each side in name order (catches a typo at the end of a name).
NEIGHBOURS = 5
_URL = re.compile(r"https?://[^\s<>\"')]+", re.IGNORECASE)

#: What identity resolution reads of a contact to make its Record (with its identities): the
#: values it compares, the email as its matching key. Not the list people edit.
RECORD_FIELDS = (
    "pk",
    "name",
    "first_name",
    "last_name",
    "email_key",
    "phone",
    "birth_date",
    "city",
    "country",
    "website",
    "bio",
    "attributes",
)


def _split_name(name: str, first: str, last: str) -> tuple[str, str]:
    if first or last:
        return first, last
    parts = name.split()
    if len(parts) < 2:
        return name, ""
    return " ".join(parts[:-1]), parts[-1]


def record_of(values: dict, handles: Iterable[tuple[str, str]] = ()) -> Record:
    """The matcher's Record of a contact, from its RECORD_FIELDS values and identities.

    Address parts and a national id or account number come from custom attributes when an
    import mapped them (street, street_number, address_line, postcode, region, national_id or
    account_number)."""
    attrs = values.get("attributes") or {}
    first, last = _split_name(values["name"], values["first_name"], values["last_name"])
    links = [values["website"], *_URL.findall(values.get("bio") or "")]
    return make_record(
        values["pk"],
        first_name=first,
        last_name=last,
        birth_date=values["birth_date"] or "",
        street_number=attrs.get("street_number", ""),
        street=attrs.get("street", ""),
        address_line=attrs.get("address_line", ""),
        city=values["city"],
        postcode=attrs.get("postcode", ""),
        region=attrs.get("region", ""),
        national_id=attrs.get("national_id") or attrs.get("account_number") or "",
        email_key=values["email_key"],
        phone=values["phone"],
        handles=list(handles),
        links=[u for u in links if u],
    )


def handles_of(contact_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for start in range(0, len(contact_ids), 500):
        for contact_id, network, handle in Identity.objects.filter(
            contact_id__in=contact_ids[start : start + 500]
        ).values_list("contact_id", "network", "handle"):
            found[contact_id].append((network, handle))
    return found


def records_of(contacts: Iterable[dict]) -> list[Record]:
    rows = list(contacts)
    handles = handles_of([r["pk"] for r in rows])
    return [record_of(r, handles.get(r["pk"], ())) for r in rows]


def policy_of(workspace_id: int) -> LinkagePolicy:
    """The workspace's linkage policy, or the defaults (not saved) when it has none."""
    policy = LinkagePolicy.objects.filter(workspace_id=workspace_id).first()
    return policy or LinkagePolicy(workspace_id=workspace_id)


# ---- one incoming identity -------------------------------------------------------------------


def _email_key(text: str) -> str:
    text = text.strip()
    if "@" not in text[1:]:
        return ""
    try:
        return normalize.email_key(normalize.clean_email(text.removeprefix("mailto:")))
    except ValidationError:
        return ""


def _phone(text: str) -> str:
    try:
        return normalize.phone_e164(text.removeprefix("tel:"))
    except ValidationError:
        return ""


def _survivor(contact_id: int, merged_into: Mapping[int, int | None]) -> int:
    seen = set()
    while merged_into.get(contact_id) and contact_id not in seen:
        seen.add(contact_id)
        contact_id = merged_into[contact_id]  # type: ignore[assignment]
    return contact_id


def resolve_identities(workspace_id: int, identity_ids: Sequence[int]) -> dict[int, int]:
    """Link the given identities that have no contact yet by deterministic keys; returns
    {identity id: contact id} for those linked. A handful of indexed queries per call."""
    pending = list(
        Identity.objects.filter(
            workspace_id=workspace_id, pk__in=identity_ids, contact__isnull=True
        ).values_list("pk", "network", "handle", "external_id")
    )
    return _link(workspace_id, pending)


def _link(workspace_id: int, pending: list[tuple[int, str, str, str]]) -> dict[int, int]:
    if not pending:
        return {}
    candidates: dict[int, set[int]] = defaultdict(set)
    handles = {h for _, _, h, _ in pending if h} | {h.lower() for _, _, h, _ in pending if h}
    known: dict[tuple[str, str], set[int]] = defaultdict(set)
    for network, handle, contact_id in Identity.objects.filter(
        workspace_id=workspace_id, handle__in=handles, contact__isnull=False
    ).values_list("network", "handle", "contact_id"):
        known[(network, handle.lower())].add(contact_id)
    emails: dict[str, list[int]] = defaultdict(list)
    phones: dict[str, list[int]] = defaultdict(list)
    for pk, network, handle, external_id in pending:
        candidates[pk] |= known.get((network, handle.lower()), set())
        if network in EMAIL_NETWORKS and (key := _email_key(handle) or _email_key(external_id)):
            emails[key].append(pk)
        if network in PHONE_NETWORKS and (phone := _phone(handle) or _phone(external_id)):
            phones[phone].append(pk)
    contacts = Contact.objects.filter(workspace_id=workspace_id).order_by()
    merged_into: dict[int, int | None] = {}
    for wanted, field in ((emails, "email_key"), (phones, "phone")):
        if not wanted:
            continue
        for contact_id, value, into in contacts.filter(
            **{f"{field}__in": list(wanted)}
        ).values_list("pk", field, "merged_into_id"):
            merged_into[contact_id] = into
            for pk in wanted[value]:
                candidates[pk].add(contact_id)
    # a contact found by email or phone may have been merged (identities move with a merge, so
    # those found by handle were not): follow merged_into to the survivor
    unknown = {c for c in merged_into.values() if c and c not in merged_into}
    while unknown:
        found = dict(contacts.filter(pk__in=unknown).values_list("pk", "merged_into_id"))
        merged_into |= {c: found.get(c) for c in unknown}
        unknown = {c for c in found.values() if c and c not in merged_into}
    linked: dict[int, int] = {}
    for pk, ids in candidates.items():
        people = {_survivor(c, merged_into) for c in ids}
        if len(people) == 1:
            linked[pk] = people.pop()
    by_contact: dict[int, list[int]] = defaultdict(list)
    for pk, contact_id in linked.items():
        by_contact[contact_id].append(pk)
    if linked:
        with transaction.atomic():  # the links and their event commit together
            for contact_id, pks in by_contact.items():
                Identity.objects.filter(pk__in=pks, contact__isnull=True).update(
                    contact_id=contact_id
                )
            emit(IDENTITIES_LINKED, workspace_id, ids=sorted(linked))
    return linked


def resolve_identity(identity: Identity) -> Contact | None:
    """The contact an incoming identity belongs to, linking it when a deterministic key says so;
    None when nothing does (probabilistic matches go to the review queue, not here)."""
    if identity.contact_id is None:
        row = (identity.pk, identity.network, identity.handle, identity.external_id)
        linked = _link(identity.workspace_id, [row])
        if identity.pk in linked:
            identity.contact_id = linked[identity.pk]
    if identity.contact_id is None:
        return None
    return Contact.objects.get(pk=identity.contact_id)


# ---- one contact against the workspace -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    contact: Contact
    score: Score


def candidate_ids(contact: Contact) -> set[int]:
    """Contacts sharing a blocking key with `contact`, each from an indexed query."""
    # order_by(): the default ordering (name) would steer the planner off the key's index
    active = Contact.objects.filter(
        workspace_id=contact.workspace_id, merged_into__isnull=True
    ).order_by()
    ids: set[int] = set()

    def add(qs: Iterable[int]) -> None:
        ids.update(qs)

    if contact.email_key:
        add(active.filter(email_key=contact.email_key).values_list("pk", flat=True)[:BLOCK_LIMIT])
    if contact.phone:
        add(active.filter(phone=contact.phone).values_list("pk", flat=True)[:BLOCK_LIMIT])
    handles = list(Identity.objects.filter(contact_id=contact.pk).values_list("network", "handle"))
    if handles:
        same = Q()
        for network, handle in handles:
            same |= Q(network=network, handle__in={handle, handle.lower()})
        add(
            Identity.objects.filter(
                same, workspace_id=contact.workspace_id, contact__isnull=False
            ).values_list("contact_id", flat=True)[:BLOCK_LIMIT]
        )
    _, last = _split_name(contact.name, contact.first_name, contact.last_name)
    if last:
        add(
            active.annotate(llast=Lower("last_name"))
            .filter(llast=last.lower())
            .values_list("pk", flat=True)[:BLOCK_LIMIT]
        )
    name = contact.name.lower()
    if name:
        by_name = active.annotate(lname=Lower("name"))
        add(
            by_name.filter(lname__gte=name)
            .order_by("lname")
            .values_list("pk", flat=True)[: NEIGHBOURS + 1]
        )
        add(
            by_name.filter(lname__lt=name)
            .order_by("-lname")
            .values_list("pk", flat=True)[:NEIGHBOURS]
        )
    ids.discard(contact.pk)
    return ids


def decided_pairs(
    workspace_id: int, contact_ids: Iterable[int] | None = None
) -> set[tuple[int, int]]:
    """Pairs a person already said are not the same person (or that were merged)."""
    qs = MatchSuggestion.objects.filter(workspace_id=workspace_id).exclude(
        state=MatchSuggestion.State.PENDING
    )
    if contact_ids is not None:
        ids = list(contact_ids)
        qs = qs.filter(Q(contact_id__in=ids) | Q(other_id__in=ids))
    return set(qs.values_list("contact_id", "other_id"))


def find_matches(
    contact: Contact, *, threshold: float | None = None, limit: int = 20
) -> list[Candidate]:
    """Contacts of the workspace that may be the same person as `contact`, best first, each
    with its score and explanation; pairs marked "not the same person" are left out."""
    if threshold is None:
        threshold = policy_of(contact.workspace_id).review_threshold
    ids = candidate_ids(contact)
    if not ids:
        return []
    rows = {
        r["pk"]: r for r in Contact.objects.filter(pk__in=[contact.pk, *ids]).values(*RECORD_FIELDS)
    }
    records = {r.key: r for r in records_of(rows.values())}
    mine = records[contact.pk]
    decided = decided_pairs(contact.workspace_id, [contact.pk])
    scored = []
    for pk in ids:
        if tuple(sorted((contact.pk, pk))) in decided or pk not in records:
            continue
        score = explain(mine, records[pk])
        if score.score >= threshold:
            scored.append((score, pk))
    scored.sort(key=lambda s: (-s[0].score, s[1]))
    scored = scored[:limit]
    objects = Contact.objects.in_bulk([pk for _, pk in scored])
    return [Candidate(objects[pk], score) for score, pk in scored]


__all__ = [
    "DEFAULT_THRESHOLD",
    "Candidate",
    "find_matches",
    "record_of",
    "records_of",
    "resolve_identities",
    "resolve_identity",
]
