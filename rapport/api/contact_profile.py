"""The contact profile router: the 360° view of one contact and its timeline, in cursor pages.

Another workspace's contact is a 404. Lifetime value is the sum of the totals of the contact's
paid and open orders, per currency (refunded and cancelled orders count for nothing).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.api.auth import member
from rapport.api.bounds import Id
from rapport.contacts.access import access_contact
from rapport.profile.build import build_profile
from rapport.profile.models import TimelineEntry
from rapport.profile.pages import TIMELINE_MAX_PAGE, TIMELINE_PAGE, timeline_page
from rapport.profile.timeline import KIND_LABELS

router = Router(tags=["contacts"])


class ProfileIdentityOut(Schema):
    id: int
    network: str
    handle: str
    display_name: str
    profile_url: str = Field(description="Empty unless an http(s) address")
    reach: int
    verified: bool


class ProfileFactOut(Schema):
    name: str
    value: str


class MoneyOut(Schema):
    currency: str
    total: Decimal


class ProfileValueOut(Schema):
    lifetime_value: list[MoneyOut] = Field(
        description="Per currency: the sum of totals of paid and open orders"
    )
    orders: int
    accounts_open: int
    accounts_in_arrears: int
    account_status: str


class ProfileAccountOut(Schema):
    id: int
    kind: str
    status: str
    balance_band: str
    product_id: int | None
    opened_at: date | None


class ProfileOrderOut(Schema):
    id: int
    ordered_at: datetime
    status: str
    total: Decimal
    currency: str
    products: list[str]


class ContactTimelineEntryOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    title: str
    summary: str
    sentiment: str
    ref: str = Field(description="app_label.model:pk of what the entry is about")


class ContactTimelinePage(Schema):
    items: list[ContactTimelineEntryOut]
    next_cursor: str = Field(description="Pass as `cursor` for the next page; empty at the end")


class ProfileCaseOut(Schema):
    id: int
    subject: str
    status: str
    updated_at: datetime


class ProfileConversationOut(Schema):
    id: int
    subject: str
    status: str
    network: str
    last_activity_at: datetime


class ProfilePostOut(Schema):
    id: int
    network: str
    url: str
    text: str
    sentiment: str
    intent: str
    posted_at: datetime


class TrendPointOut(Schema):
    month: str
    mean: float = Field(description="Mean sentiment of the month's posts, -1 to 1")
    posts: int


class ConsentOut(Schema):
    channel: str
    granted: bool
    basis: str
    source: str
    recorded_at: datetime


class ProductSuggestionOut(Schema):
    product_id: int
    product: str
    because: list[str]
    confidence: float
    lift: float
    similar_customers: int
    sentence: str


class RiskOut(Schema):
    code: str
    severity: str
    sentence: str


class ContactProfileOut(Schema):
    id: int
    name: str
    email: str
    phone: str
    tier: str
    segment: str
    do_not_contact: bool
    merged_into_id: int | None
    facts: list[ProfileFactOut]
    identities: list[ProfileIdentityOut]
    value: ProfileValueOut
    accounts: list[ProfileAccountOut]
    recent_orders: list[ProfileOrderOut]
    timeline: ContactTimelinePage
    open_cases: list[ProfileCaseOut]
    open_conversations: list[ProfileConversationOut]
    recent_posts: list[ProfilePostOut]
    sentiment_trend: list[TrendPointOut]
    consent: list[ConsentOut] = Field(description="The consent in force, per channel")
    consent_history: list[ConsentOut]
    suggestions: list[ProductSuggestionOut]
    risks: list[RiskOut]


class ContactTimelineQuery(Schema):
    kind: str = Field("", description=f"One of {', '.join(KIND_LABELS)}; empty for all")
    cursor: str = Field("", description="`next_cursor` of the previous page")
    limit: int = Field(TIMELINE_PAGE, ge=1, le=TIMELINE_MAX_PAGE)


def entry_out(e: TimelineEntry) -> dict[str, Any]:
    return {
        "id": e.pk,
        "occurred_at": e.occurred_at,
        "kind": e.kind,
        "title": e.title,
        "summary": e.summary,
        "sentiment": e.sentiment,
        "ref": e.ref,
    }


@router.get(
    "/contacts/{contact_id}/profile",
    response=ContactProfileOut,
    summary="The 360° view of a contact: facts, identities, value, timeline, cases, posts",
)
def contact_profile(request: HttpRequest, contact_id: Id) -> dict[str, Any]:
    m = member(request)
    p = build_profile(m, access_contact(m, contact_id))
    c = p.contact
    return {
        "id": c.pk,
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "tier": c.tier,
        "segment": c.segment,
        "do_not_contact": c.do_not_contact,
        "merged_into_id": c.merged_into_id,
        "facts": [{"name": k, "value": v} for k, v in p.facts],
        "identities": [
            {
                "id": v.identity.pk,
                "network": v.identity.network,
                "handle": v.identity.handle,
                "display_name": v.identity.display_name,
                "profile_url": v.url,
                "reach": v.identity.reach,
                "verified": v.identity.verified,
            }
            for v in p.identities
        ],
        "value": {
            "lifetime_value": [{"currency": cur, "total": t} for cur, t in p.value.lifetime],
            "orders": p.value.orders,
            "accounts_open": p.value.accounts_open,
            "accounts_in_arrears": p.value.accounts_in_arrears,
            "account_status": p.value.status,
        },
        "accounts": [
            {
                "id": a.pk,
                "kind": a.kind,
                "status": a.status,
                "balance_band": a.balance_band,
                "product_id": a.product_id,
                "opened_at": a.opened_at,
            }
            for a in p.accounts
        ],
        "recent_orders": [
            {
                "id": o.order.pk,
                "ordered_at": o.order.ordered_at,
                "status": o.order.status,
                "total": o.order.total,
                "currency": o.order.currency,
                "products": o.products,
            }
            for o in p.orders
        ],
        "timeline": {
            "items": [entry_out(e) for e in p.timeline.entries],
            "next_cursor": p.timeline.next_cursor,
        },
        "open_cases": [
            {"id": x.pk, "subject": x.subject, "status": x.status, "updated_at": x.updated_at}
            for x in p.open_cases
        ],
        "open_conversations": [
            {
                "id": x.pk,
                "subject": x.subject,
                "status": x.status,
                "network": x.network,
                "last_activity_at": x.last_activity_at,
            }
            for x in p.open_conversations
        ],
        "recent_posts": [
            {
                "id": x.pk,
                "network": x.network,
                "url": x.url,
                "text": x.title or x.text,
                "sentiment": x.sentiment,
                "intent": x.intent,
                "posted_at": x.posted_at,
            }
            for x in p.recent_posts
        ],
        "sentiment_trend": [{"month": t.month, "mean": t.mean, "posts": t.posts} for t in p.trend],
        "consent": [
            {
                "channel": v.channel,
                "granted": v.granted,
                "basis": v.basis,
                "source": v.source,
                "recorded_at": v.recorded_at,
            }
            for v in p.consent_now
        ],
        "consent_history": [
            {
                "channel": h.channel,
                "granted": h.granted,
                "basis": h.basis,
                "source": h.source,
                "recorded_at": h.recorded_at,
            }
            for h in p.consent_history
        ],
        "suggestions": [
            {
                "product_id": s.product_id,
                "product": s.product,
                "because": list(s.because),
                "confidence": s.confidence,
                "lift": s.lift,
                "similar_customers": s.support,
                "sentence": s.sentence,
            }
            for s in p.suggestions
        ],
        "risks": [
            {"code": r.code, "severity": r.severity, "sentence": r.sentence} for r in p.risks
        ],
    }


@router.get(
    "/contacts/{contact_id}/timeline",
    response=ContactTimelinePage,
    summary="Everything that happened with a contact, newest first, in cursor pages",
)
def contact_timeline(request: HttpRequest, contact_id: Id, q: Query[ContactTimelineQuery]) -> Any:
    m = member(request)
    page = timeline_page(access_contact(m, contact_id), kind=q.kind, cursor=q.cursor, limit=q.limit)
    return {"items": [entry_out(e) for e in page.entries], "next_cursor": page.next_cursor}
