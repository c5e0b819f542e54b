"""Reads of contacts: the searched, filtered, paginated list, fast at a million contacts.

Search is prefix matching through indexes, never a scan: names and last names by
`lower(...)` range (indexes contact_name_lower, contact_last_name_lower), emails by
`email_key` range, phones and handles exactly (E.164 phone index, identity handle index).
A range `lo <= x < hi` rather than LIKE, because neither SQLite (LIKE is case-insensitive
there) nor PostgreSQL (outside the C locale) takes a plain b-tree index for LIKE 'x%'.
Merged contacts are hidden: they live on in the contact they became.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from rapport.contacts import normalize
from rapport.contacts.models import Consent, Contact, Identity, ImportJob, Tier
from rapport.core.ids import parse_id
from rapport.core.models import Membership

PAGE = 25
MAX_PAGE = 200
#: The list counts up to this many matches; past it the page says "more than".
COUNT_CAP = 10_000
Q_MAX = 200
HANDLE_MATCHES = 50


@dataclass
class ContactPage:
    items: Sequence[Contact]
    count: int
    page: int
    per_page: int
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def end(self) -> int:
        return self.start + len(self.items) - 1 if self.items else 0


def _prefix_range(prefix: str) -> tuple[str, str]:
    """(lo, hi) with every string starting with `prefix` in lo <= s < hi (code point order)."""
    last = prefix[-1]
    return prefix, prefix[:-1] + chr(ord(last) + 1)


def _prefix(field: str, prefix: str) -> Q:
    lo, hi = _prefix_range(prefix)
    return Q(**{f"{field}__gte": lo, f"{field}__lt": hi})


def _looks_like_phone(q: str) -> bool:
    digits = sum(c.isdigit() for c in q)
    return digits >= 6 and all(c.isdigit() or c in "+-() ." for c in q)


def _handle_contacts(member: Membership, handle: str) -> list[int]:
    handles = {handle, handle.lower()}
    return list(
        Identity.objects.filter(
            workspace=member.workspace, handle__in=handles, contact__isnull=False
        ).values_list("contact_id", flat=True)[:HANDLE_MATCHES]
    )


def search_condition(member: Membership, q: str) -> Q:
    """Who `q` finds: a name or last name prefix, an email (prefix), a phone, an @handle."""
    q = " ".join(q.split())
    if len(q) > Q_MAX:
        raise ValidationError({"q": f"Search for at most {Q_MAX} characters."})
    if q.startswith("@") and len(q) > 1:
        return Q(pk__in=_handle_contacts(member, q[1:]))
    if "@" in q:
        key = normalize.email_key(q) if "." in q.rpartition("@")[2] else q.lower()
        return _prefix("email_key", key)
    if _looks_like_phone(q):
        try:
            phone = normalize.phone_e164(q)
        except ValidationError:
            return Q(pk__in=[])
        return Q(phone=phone)
    lowered = q.lower()
    by_name = _prefix("lname", lowered) | _prefix("llast", lowered) | _prefix("email_key", lowered)
    handle_ids = _handle_contacts(member, q)
    return by_name | Q(pk__in=handle_ids) if handle_ids else by_name


def filter_contacts(
    member: Membership,
    *,
    q: str = "",
    tier: str = "",
    segment: str = "",
    owner: str = "",
    organization: str = "",
) -> QuerySet[Contact]:
    """The workspace's live (not merged) contacts matching the search and filters."""
    qs = Contact.objects.filter(workspace=member.workspace, merged_into__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.alias(lname=Lower("name"), llast=Lower("last_name")).filter(
            search_condition(member, q)
        )
    if tier == "none":
        qs = qs.filter(tier="")
    elif tier:
        if tier not in Tier.values:
            raise ValidationError(
                {"tier": f"Unknown tier {tier!r}; use none or one of {', '.join(Tier.values)}."}
            )
        qs = qs.filter(tier=tier)
    segment = (segment or "").strip()
    if segment:
        qs = qs.filter(segment=segment)
    for name, value in (("owner", owner), ("organization", organization)):
        if value in ("", None):
            continue
        if value == "none":
            qs = qs.filter(**{f"{name}__isnull": True})
        elif value == "me" and name == "owner":
            qs = qs.filter(owner=member)
        else:
            pk = parse_id(value)
            if pk is None:
                raise ValidationError({name: f"{name} must be an id, me or none."})
            qs = qs.filter(**{f"{name}_id": pk})
    return qs


def contact_page(
    member: Membership, *, page: int = 1, per_page: int = PAGE, **filters: str
) -> ContactPage:
    if not 1 <= per_page <= MAX_PAGE:
        raise ValidationError({"limit": f"limit must be 1 to {MAX_PAGE}."})
    if page < 1:
        raise ValidationError({"page": "page starts at 1."})
    qs = filter_contacts(member, **filters)
    count = qs[: COUNT_CAP + 1].count()
    capped = count > COUNT_CAP
    start = (page - 1) * per_page
    if capped and start >= COUNT_CAP:
        raise ValidationError(
            {"page": f"Only the first {COUNT_CAP:,} matches are paged; narrow the search."}
        )
    items = list(
        qs.select_related("organization", "owner__user").order_by("name", "id")[
            start : start + per_page
        ]
    )
    return ContactPage(
        items=items, count=min(count, COUNT_CAP), page=page, per_page=per_page, capped=capped
    )


def identities_of(contacts: Sequence[Contact]) -> dict[int, list[Identity]]:
    """Each contact's identities (for the list's network badges), in one query."""
    out: dict[int, list[Identity]] = {c.pk: [] for c in contacts}
    for identity in Identity.objects.filter(contact_id__in=list(out)).order_by("network"):
        assert identity.contact_id is not None
        out[identity.contact_id].append(identity)
    return out


def consent_in_force(contact: Contact) -> list[Consent]:
    """The consent in force on each of the contact's channels (the newest row of each), by
    channel."""
    newest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(contact=contact).order_by("-recorded_at", "-id"):
        newest.setdefault(consent.channel, consent)
    return [newest[channel] for channel in sorted(newest)]


def recent_imports(member: Membership, limit: int = 10) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(workspace=member.workspace)
        .select_related("requested_by__user")
        .order_by("-created_at", "-id")[:limit]
    )
