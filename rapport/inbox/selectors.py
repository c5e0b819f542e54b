"""Reads of the inbox: the filtered list (keyset pages, capped counts), one conversation with
its thread, notes, history and contact, saved views, presence, and the routing rules.

Every selector takes the caller's Membership and reads only that workspace; ids from outside
are resolved with `rapport.inbox.access` (another workspace's is a 404).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.dateparse import parse_datetime

from rapport.contacts.models import Consent
from rapport.contacts.selectors import consent_in_force
from rapport.core.access import access_in_workspace
from rapport.core.ids import parse_id
from rapport.core.models import Membership, Team
from rapport.core.priority import clean_priority
from rapport.core.roles import Role
from rapport.inbox.models import (
    OPEN_STATUSES,
    Activity,
    Conversation,
    ConversationPost,
    ConversationQuery,
    ConversationTag,
    Note,
    RoutingRule,
    SavedView,
    Status,
    Tag,
)
from rapport.listening import search
from rapport.listening.access import access_query
from rapport.listening.models import Intent, ListeningQuery, Post, Sentiment

PAGE = 50
COUNT_CAP = 1_000
SEARCH_POSTS = 2_000  # a search looks through this many of the newest matching posts
PRESENCE_TTL = 20  # seconds a colleague is shown as here after their last sign of life
RECENT_POSTS = 5

FILTERS = (
    "view",
    "status",
    "network",
    "query",
    "sentiment",
    "intent",
    "team",
    "assignee",
    "priority",
    "tag",
    "since",
    "until",
    "q",
)

#: The built-in views: a name and the filters they stand for ("me" is the viewer).
BUILT_IN_VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "open": ("All open", {"status": "active"}),
    "mine": ("My open", {"status": "active", "assignee": "me"}),
    "leads": ("Leads", {"status": "active", "intent": "lead"}),
    "negative-unassigned": (
        "Negative, unassigned",
        {"status": "active", "sentiment": "negative", "assignee": "none"},
    ),
    "all": ("Everything", {}),
}
DEFAULT_VIEW = "open"


@dataclass
class Filters:
    """The inbox's filters, cleaned: what a page, the API and a saved view share."""

    status: str = ""  # a Status, "active" (new, open or waiting), or "" (any)
    network: str = ""
    query: int | None = None
    sentiment: str = ""
    intent: str = ""
    team: int | str | None = None  # a team id, or "none"
    assignee: int | str | None = None  # a member id, "me" or "none"
    priority: int | None = None
    tag: str = ""
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""

    def as_dict(self) -> dict[str, str]:
        out = {}
        for name, value in self.__dict__.items():
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if isinstance(value, datetime) else str(value)
        return out

    @property
    def narrowed(self) -> bool:
        return any(v not in (None, "") for k, v in self.__dict__.items() if k != "status")


def _date(value: str, name: str, end: bool = False) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        try:
            day = datetime.fromisoformat(value[:10])
        except ValueError:
            raise ValidationError({name: f"{value!r} is not a date (YYYY-MM-DD)."}) from None
        parsed = day + timedelta(days=1) if end else day
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _id_or(value: str, name: str, words: tuple[str, ...]) -> int | str | None:
    value = (value or "").strip().lower()
    if not value:
        return None
    if value in words:
        return value
    pk = parse_id(value)
    if pk is not None:
        return pk
    raise ValidationError({name: f"{value!r} is not a {name} id or one of {', '.join(words)}."})


def clean_filters(raw: dict[str, Any]) -> Filters:
    """Filters from a query string or JSON; a bad value raises ValidationError naming it."""

    def get(name: str) -> str:
        value = raw.get(name, "")
        return str(value if value is not None else "").strip()[:200]

    status = get("status").lower()
    if status and status != "active" and status not in Status.values:
        raise ValidationError(
            {"status": f"Unknown status {status!r}; use active or {', '.join(Status.values)}."}
        )
    sentiment, intent = get("sentiment").lower(), get("intent").lower()
    if sentiment and sentiment not in Sentiment.values:
        raise ValidationError({"sentiment": f"Unknown sentiment {sentiment!r}."})
    if intent and intent not in Intent.values:
        raise ValidationError({"intent": f"Unknown intent {intent!r}."})
    priority_raw = get("priority")
    priority: int | None = None
    if priority_raw:
        small = priority_raw.isascii() and priority_raw.isdigit() and len(priority_raw) < 4
        priority = clean_priority(int(priority_raw) if small else priority_raw)
    query = get("query")
    if query and parse_id(query) is None:
        raise ValidationError({"query": f"{query!r} is not a query id."})
    return Filters(
        status=status,
        network=get("network").lower()[:30],
        query=parse_id(query),
        sentiment=sentiment,
        intent=intent,
        team=_id_or(get("team"), "team", ("none",)),
        assignee=_id_or(get("assignee"), "assignee", ("me", "none")),
        priority=priority,
        tag=" ".join(get("tag").lower().split())[:50],
        since=_date(get("since"), "since"),
        until=_date(get("until"), "until", end=True),
        q=get("q"),
    )


def view_filters(viewer: Membership, view: str) -> dict[str, str]:
    """The filters a view stands for: a built-in one by key, or a saved one by `saved-<id>`."""
    if view in BUILT_IN_VIEWS:
        return dict(BUILT_IN_VIEWS[view][1])
    saved_id = parse_id(view[6:]) if view.startswith("saved-") else None
    if saved_id is not None:
        saved = SavedView.objects.filter(owner=viewer, pk=saved_id).first()
        if saved is not None:
            return {k: str(v) for k, v in saved.filters.items()}
    return {}


def saved_views(viewer: Membership) -> list[SavedView]:
    return list(SavedView.objects.filter(owner=viewer))


def filtered(viewer: Membership, f: Filters) -> QuerySet[Conversation]:
    """The conversations matching `f`, newest activity first (merged ones left out)."""
    convs = Conversation.objects.filter(workspace=viewer.workspace, merged_into__isnull=True)
    if f.status == "active":
        convs = convs.filter(status__in=OPEN_STATUSES)
    elif f.status:
        convs = convs.filter(status=f.status)
    if f.network:
        convs = convs.filter(network=f.network)
    if f.sentiment:
        convs = convs.filter(sentiment=f.sentiment)
    if f.intent:
        convs = convs.filter(intent=f.intent)
    if f.priority is not None:
        convs = convs.filter(priority=f.priority)
    if f.team == "none":
        convs = convs.filter(team__isnull=True)
    elif f.team is not None:
        convs = convs.filter(team=access_in_workspace(viewer, Team.objects.all(), f.team))
    if f.assignee == "none":
        convs = convs.filter(assignee__isnull=True)
    elif f.assignee == "me":
        convs = convs.filter(assignee=viewer)
    elif f.assignee is not None:
        convs = convs.filter(
            assignee=access_in_workspace(viewer, Membership.objects.all(), f.assignee)
        )
    if f.query is not None:
        lq = access_query(viewer, f.query)
        convs = convs.filter(
            pk__in=ConversationQuery.objects.filter(query=lq).values("conversation_id")
        )
    if f.tag:
        convs = convs.filter(
            pk__in=ConversationTag.objects.filter(
                tag__workspace=viewer.workspace, tag__name=f.tag
            ).values("conversation_id")
        )
    if f.since is not None:
        convs = convs.filter(last_activity_at__gte=f.since)
    if f.until is not None:
        convs = convs.filter(last_activity_at__lt=f.until)
    if search.words(f.q):
        convs = _mentioning(viewer, convs, f.q)
    return convs.order_by("-last_activity_at", "-id")


def _mentioning(
    viewer: Membership, convs: QuerySet[Conversation], text: str
) -> QuerySet[Conversation]:
    """`convs` narrowed to those with a post holding every word of `text`, through the posts'
    full-text index (rapport.listening.search); written as SQL because the index's expression
    names the post table, which the ORM would rename inside a subquery.

    It looks through the newest SEARCH_POSTS matching posts: a word in one post in ten would
    otherwise make every page read and sort a tenth of the workspace. On SQLite the `+` keeps
    the planner walking conversations newest first and stopping at a page.
    """
    # Constant SQL (table names from code); the search is always a bound parameter.
    vendor = connections[Conversation.objects.db].vendor
    if vendor == "sqlite":
        fts = search.FTS_TABLE
        sql = (
            '+"inbox_conversation"."id" IN (SELECT cp.conversation_id '  # noqa: S608
            "FROM inbox_conversationpost cp WHERE cp.post_id IN "
            f"(SELECT rowid FROM {fts} WHERE {fts} MATCH %s ORDER BY rowid DESC LIMIT %s))"
        )
        params = (search.fts5_expression(text), SEARCH_POSTS)
        return convs.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611
    if vendor == "postgresql":
        vector = search.PG_VECTOR.format(t="lp")
        sql = (
            "SELECT cp.conversation_id FROM inbox_conversationpost cp "  # noqa: S608
            "WHERE cp.post_id IN (SELECT lp.id FROM listening_post lp "
            f"WHERE lp.workspace_id = %s AND {vector} @@ to_tsquery('simple', %s) "
            "ORDER BY lp.id DESC LIMIT %s)"
        )
        pg_params = (viewer.workspace_id, search.tsquery_expression(text), SEARCH_POSTS)
        return convs.filter(pk__in=RawSQL(sql, pg_params))  # noqa: S611
    posts = search.search(Post.objects.filter(workspace=viewer.workspace), text)
    return convs.filter(
        pk__in=ConversationPost.objects.filter(post__in=posts).values("conversation_id")
    )


@dataclass
class InboxPage:
    items: list[Conversation]
    next_cursor: str
    count: int | None  # capped at COUNT_CAP; None when a search is not counted
    capped: bool
    filters: Filters

    @property
    def count_label(self) -> str:
        if self.count is None:
            return f"More than {len(self.items)}"
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.count:,}"


def encode_cursor(conv: Conversation) -> str:
    return f"{conv.last_activity_at.isoformat()}_{conv.pk}"


def _after(convs: QuerySet[Conversation], cursor: str) -> QuerySet[Conversation]:
    stamp, _, pk = (cursor or "").rpartition("_")
    at = parse_datetime(stamp) if stamp else None
    before = parse_id(pk)
    if at is None or before is None:
        raise ValidationError({"after": "This page link is broken; start from the first page."})
    return convs.filter(Q(last_activity_at__lt=at) | Q(last_activity_at=at, pk__lt=before))


def inbox_page(
    viewer: Membership, f: Filters, *, after: str = "", per_page: int = PAGE
) -> InboxPage:
    """One page of the inbox (keyset: `after` is the last row's cursor) and a capped count."""
    convs = filtered(viewer, f)
    page_qs = _after(convs, after) if after else convs
    rows = list(
        page_qs.select_related("assignee__user", "team", "identity").prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("name"))
        )[: per_page + 1]
    )
    more = len(rows) > per_page
    rows = rows[:per_page]
    if search.words(f.q) and (more or after):
        counted = None  # a search's matches would be read a second time just to count them
    elif not more and not after:
        counted = len(rows)
    else:
        counted = convs.order_by().values("pk")[: COUNT_CAP + 1].count()  # never COUNT(*)
    return InboxPage(
        items=rows,
        next_cursor=encode_cursor(rows[-1]) if more and rows else "",
        count=None if counted is None else min(counted, COUNT_CAP),
        capped=counted is not None and counted > COUNT_CAP,
        filters=f,
    )


# One conversation --------------------------------------------------------------------------


@dataclass
class ContactPanel:
    """Who the conversation's author is, beside it. Their open cases are the web page's to add
    (the cases domain sits above the inbox)."""

    identity: Any = None
    contact: Any = None
    identities: list[Any] = field(default_factory=list)
    recent_posts: list[Post] = field(default_factory=list)
    other_conversations: list[Conversation] = field(default_factory=list)
    #: The consent in force, a channel a line ("Email: yes (consent, 3 Oct)"); empty: none
    consent: list[str] = field(default_factory=list)
    do_not_contact: bool = False


@dataclass
class ConversationDetail:
    conversation: Conversation
    posts: list[Post]
    notes: list[Note]
    activities: list[Activity]
    contact: ContactPanel
    tags: list[str]


def thread(conv: Conversation) -> list[Post]:
    return list(
        Post.objects.filter(conversation_link__conversation=conv)
        .select_related("identity")
        .prefetch_related(Prefetch("queries", queryset=ListeningQuery.objects.order_by("name")))
        .order_by("posted_at", "id")
    )


CHANNEL_NAMES = {"sms": "SMS"}


def consent_words(consent: Consent, today: date | None = None) -> str:
    """A channel's consent in force, in words: "Email: yes (consent, 3 Oct)"."""
    today = today or timezone.localdate()
    at = timezone.localtime(consent.recorded_at)
    when = format_date(at, "j M" if at.year == today.year else "j M Y")
    why = [consent.get_basis_display().lower()] if consent.basis else []
    channel = CHANNEL_NAMES.get(consent.channel.lower(), consent.channel.capitalize())
    return f"{channel}: {'yes' if consent.granted else 'no'} ({', '.join([*why, when])})"


def contact_panel(viewer: Membership, conv: Conversation, posts: list[Post]) -> ContactPanel:
    identity = conv.identity
    panel = ContactPanel(identity=identity)
    if identity is None:
        return panel
    shown = {p.pk for p in posts}
    panel.recent_posts = [
        p
        for p in Post.objects.filter(
            workspace=viewer.workspace, identity=identity, deleted_at__isnull=True
        ).order_by("-posted_at", "-id")[: RECENT_POSTS + len(shown)]
        if p.pk not in shown
    ][:RECENT_POSTS]
    panel.other_conversations = list(
        Conversation.objects.filter(
            workspace=viewer.workspace, identity=identity, merged_into__isnull=True
        )
        .exclude(pk=conv.pk)
        .order_by("-last_activity_at", "-id")[:5]
    )
    contact = identity.contact
    if contact is not None:
        panel.contact = contact
        panel.identities = list(contact.identities.exclude(pk=identity.pk).order_by("network"))
        today = timezone.localdate()
        panel.consent = [consent_words(c, today) for c in consent_in_force(contact)]
        panel.do_not_contact = contact.do_not_contact
    return panel


def conversation_detail(viewer: Membership, conv: Conversation) -> ConversationDetail:
    posts = thread(conv)
    return ConversationDetail(
        conversation=conv,
        posts=posts,
        notes=list(
            Note.objects.filter(conversation=conv)
            .select_related("author__user")
            .prefetch_related("mentions__user")
        ),
        activities=list(
            Activity.objects.filter(conversation=conv).select_related("actor__user", "rule")
        ),
        contact=contact_panel(viewer, conv, posts),
        tags=sorted(
            ConversationTag.objects.filter(conversation=conv).values_list("tag__name", flat=True)
        ),
    )


# Presence: who else has a conversation open, or is typing in it -----------------------------


def _presence_key(conv: Conversation) -> str:
    return f"inbox:presence:{conv.pk}"


def mark_present(viewer: Membership, conv: Conversation, *, typing: bool = False) -> None:
    """Says `viewer` is looking at (or typing in) `conv`; forgotten after PRESENCE_TTL."""
    key = _presence_key(conv)
    now = timezone.now().timestamp()
    seen = {k: v for k, v in (cache.get(key) or {}).items() if now - v["at"] < PRESENCE_TTL}
    seen[viewer.pk] = {"name": viewer.user.display_name, "typing": typing, "at": now}
    cache.set(key, seen, PRESENCE_TTL)


def colleagues_present(viewer: Membership, conv: Conversation) -> list[dict[str, Any]]:
    now = timezone.now().timestamp()
    return [
        {"name": v["name"], "typing": v["typing"]}
        for pk, v in sorted((cache.get(_presence_key(conv)) or {}).items())
        if pk != viewer.pk and now - v["at"] < PRESENCE_TTL
    ]


# Rules, people, options --------------------------------------------------------------------


def rules(viewer: Membership) -> QuerySet[RoutingRule]:
    return RoutingRule.objects.filter(workspace=viewer.workspace).order_by("position", "id")


def assignable(viewer: Membership) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=viewer.workspace)
        .exclude(role=Role.VIEWER)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def networks(viewer: Membership) -> list[str]:
    return sorted(
        Conversation.objects.filter(workspace=viewer.workspace)
        .exclude(network="")
        .order_by()
        .values_list("network", flat=True)
        .distinct()
    )
