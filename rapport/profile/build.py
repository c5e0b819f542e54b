"""The 360° profile of one contact: everything the person answering them should see.

`build_profile(membership, contact)` reads it section by section. Each read is one indexed
query bounded by a LIMIT on the contact's own rows (identities, accounts, orders, consents,
timeline, cases, conversations, posts); nothing aggregates a whole table per request, and the
cross-sell rules come from a per-workspace cache (`suggestions.rules_for`).

Its figures come from their own modules: the value (`value.py`: lifetime value, account
status), the timeline's first page (`pages.py`), suggestions (`suggestions.py`) and risks
(`risk.py`).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import timezone

from rapport.cases.models import Case
from rapport.cases.models import Status as CaseStatus
from rapport.contacts.models import Account, Consent, Contact, Identity, Order, OrderLine
from rapport.core.links import safe_url
from rapport.core.models import Membership
from rapport.inbox.models import OPEN_STATUSES, Conversation
from rapport.listening.models import Post
from rapport.profile import risk
from rapport.profile import suggestions as nba
from rapport.profile.pages import TimelinePage, timeline_page
from rapport.profile.timeline import KIND_LABELS
from rapport.profile.value import Value, value_of

RECENT_POSTS = 8
RECENT_ORDERS = 10
OPEN_LIMIT = 10
RECENT_CASES = 50
CONSENT_HISTORY = 30
TREND_MONTHS = 12
TREND_POSTS = 500


# ---- the sections ----


@dataclass
class IdentityView:
    identity: Identity
    url: str  # safe to link to; empty when the stored address is not http(s)


@dataclass
class OrderView:
    order: Order
    products: list[str]


@dataclass
class ConsentView:
    channel: str
    granted: bool
    basis: str
    source: str
    recorded_at: datetime


@dataclass
class TrendPoint:
    month: str  # "2026-03"
    label: str  # "Mar"
    mean: float  # -1 … 1
    posts: int


@dataclass
class Profile:
    contact: Contact
    facts: list[tuple[str, str]]
    identities: list[IdentityView]
    value: Value
    accounts: list[Account]
    orders: list[OrderView]
    timeline: TimelinePage
    open_cases: list[Case]
    open_conversations: list[Conversation]
    recent_posts: list[Post]
    trend: list[TrendPoint]
    consent_now: list[ConsentView]
    consent_history: list[Consent]
    suggestions: list[nba.Suggestion]
    risks: list[risk.Risk]
    kinds: dict[str, str] = field(default_factory=lambda: dict(KIND_LABELS))


def facts_of(contact: Contact) -> list[tuple[str, str]]:
    location = ", ".join(x for x in (contact.city, contact.country) if x)
    owner = contact.owner.user.display_name if contact.owner_id and contact.owner else ""
    facts = [
        ("Organization", contact.organization.name if contact.organization else ""),
        ("Tier", contact.get_tier_display() if contact.tier else ""),
        ("Segment", contact.segment),
        ("Location", location),
        ("Language", contact.language),
        ("Email", contact.email),
        ("Phone", contact.phone),
        ("Owner", owner),
        ("Tags", ", ".join(str(t) for t in contact.tags) if contact.tags else ""),
        ("Preferred channel", contact.preferred_channel),
        ("Lawful basis", contact.get_lawful_basis_display() if contact.lawful_basis else ""),
    ]
    if isinstance(contact.attributes, dict):
        facts += [(str(k), str(v)) for k, v in sorted(contact.attributes.items())[:20]]
    return [(k, v) for k, v in facts if v]


def trend_of(posts: list[tuple[datetime, str, float | None]], now: datetime) -> list[TrendPoint]:
    """Mean sentiment per month over the last 12 months (months without posts left out)."""
    buckets: dict[str, list[float]] = {}
    for posted_at, label, score in posts:
        value = risk.post_score(label, score)
        if value is not None:
            buckets.setdefault(timezone.localtime(posted_at).strftime("%Y-%m"), []).append(value)
    points = []
    start = timezone.localtime(now).replace(day=1)
    for back in range(TREND_MONTHS - 1, -1, -1):
        year, month = divmod(start.year * 12 + start.month - 1 - back, 12)
        key = f"{year:04d}-{month + 1:02d}"
        values = buckets.get(key)
        if values:
            label = datetime(year, month + 1, 1).strftime("%b")
            points.append(TrendPoint(key, label, round(sum(values) / len(values), 2), len(values)))
    return points


def consent_now(history: list[Consent]) -> list[ConsentView]:
    """The newest row per channel is in force (`history` is newest first)."""
    seen: dict[str, ConsentView] = {}
    for c in history:
        if c.channel not in seen:
            seen[c.channel] = ConsentView(
                c.channel, c.granted, c.get_basis_display() if c.basis else "", c.source,
                c.recorded_at,
            )  # fmt: skip
    return sorted(seen.values(), key=lambda v: v.channel)


def build_profile(
    membership: Membership, contact: Contact, *, kind: str = "", cursor: str = ""
) -> Profile:
    """The whole profile of `contact` (already checked to be in `membership`'s workspace)."""
    now = timezone.now()
    identities = list(Identity.objects.filter(contact_id=contact.pk).order_by("network", "handle"))
    identity_ids = [i.pk for i in identities]
    accounts = list(Account.objects.filter(contact_id=contact.pk).order_by("status", "kind")[:50])
    recent_orders = list(
        Order.objects.filter(contact_id=contact.pk).order_by("-ordered_at", "-id")[:RECENT_ORDERS]
    )
    lines: dict[int, list[str]] = {}
    for order_id, name, qty in (
        OrderLine.objects.filter(order_id__in=[o.pk for o in recent_orders])
        .order_by("order_id", "id")
        .values_list("order_id", "product__name", "quantity")
    ):
        lines.setdefault(order_id, []).append(name if qty == 1 else f"{qty} x {name}")
    value = value_of(contact, accounts)
    since = now - timedelta(days=risk.COMPLAINT_DAYS)
    recent_cases = list(
        Case.objects.filter(workspace_id=contact.workspace_id, customer_id=contact.pk)
        .select_related("owner__user", "team")
        .order_by("-updated_at")[:RECENT_CASES]
    )
    closed = (CaseStatus.RESOLVED, CaseStatus.CLOSED)
    open_cases = [c for c in recent_cases if c.status not in closed][:OPEN_LIMIT]
    cases_opened = sum(1 for c in recent_cases if c.created_at >= since)
    open_conversations: list[Conversation] = []
    recent_posts: list[Post] = []
    sentiments: list[tuple[datetime, str, float | None]] = []
    complaints = 0
    if identity_ids:
        open_conversations = list(
            Conversation.objects.filter(
                identity_id__in=identity_ids, status__in=OPEN_STATUSES, merged_into__isnull=True
            )
            .select_related("assignee__user", "team")
            .order_by("-last_activity_at")[:OPEN_LIMIT]
        )
        posts = Post.objects.filter(identity_id__in=identity_ids, deleted_at__isnull=True)
        recent_posts = list(
            posts.only(
                "pk", "network", "url", "author_handle", "title", "text", "posted_at",
                "sentiment", "intent", "identity_id",
            ).order_by("-posted_at")[:RECENT_POSTS]
        )  # fmt: skip
        year = list(
            posts.filter(posted_at__gte=now - timedelta(days=31 * TREND_MONTHS))
            .order_by("-posted_at")
            .values_list("posted_at", "sentiment", "sentiment_score", "intent")[:TREND_POSTS]
        )
        sentiments = [(at, label, score) for at, label, score, _ in year]
        complaints = sum(1 for at, _, _, intent in year if at >= since and intent == "complaint")
    history = list(
        Consent.objects.filter(contact_id=contact.pk)
        .select_related("recorded_by__user")
        .order_by("-recorded_at", "-id")[:CONSENT_HISTORY]
    )
    return Profile(
        contact=contact,
        facts=facts_of(contact),
        identities=[IdentityView(i, safe_url(i.profile_url)) for i in identities],
        value=value,
        accounts=accounts,
        orders=[OrderView(o, lines.get(o.pk, [])) for o in recent_orders],
        timeline=timeline_page(contact, kind=kind, cursor=cursor),
        open_cases=open_cases,
        open_conversations=open_conversations,
        recent_posts=recent_posts,
        trend=trend_of(sentiments, now),
        consent_now=consent_now(history),
        consent_history=history,
        suggestions=nba.suggestions_for(contact, accounts=accounts),
        risks=risk.risk_signals(
            complaints=complaints,
            cases_opened=cases_opened,
            sentiments=sentiments,
            accounts=accounts,
            now=now,
        ),
    )
