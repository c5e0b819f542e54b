"""The contact's timeline: one `TimelineEntry` per thing that happened with them, in any domain.

Entries are written these ways:
- `add_entry(contact, ...)`, by anyone who knows a contact did something;
- `place(contact, entry)`, for an entry made by one of the builders below;
- from contacts' events (`wiring.py`): an interaction logged (`record_interaction`), orders
  imported (`record_orders`), identities linked to a contact (`record_identities`);
- from engagement's `reply.published` (`wiring.py`): a reply on the timeline of the contact who
  wrote the post (`record_reply`);
- from cases' `case.opening` hook (`wiring.py`), in the case's own transaction: a case opened
  (`record_new_case`);
- from the events of cases and approvals (`wiring.py`): a case resolved or unmerged
  (`record_case`), an approval asked or decided (`record_approval`);
- from the inbox's `conversation.resolved` (`wiring.py`): a known customer's conversation
  resolved (`record_resolved_conversation`);
- `record_triaged_posts`, for each `post.triaged` batch: posts whose author's identity is linked
  to a contact (posts are stored in bulk, without an audit event each).
`backfill(contact)` rebuilds what is missing from the stored rows (the demo, tests). Every writer
is idempotent: an entry is one (contact, kind, ref, time). A merge moves a contact's entries to
the survivor with the rest of what points at the contact, and an unmerge moves them back.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NotRequired, TypedDict, Unpack

from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from rapport.approvals.models import Approval
from rapport.cases.models import Case
from rapport.contacts.models import Contact, Identity, Interaction, Order, OrderLine
from rapport.engagement.models import Reply
from rapport.inbox.models import Conversation
from rapport.listening.models import Post
from rapport.profile.models import TimelineEntry


class Kind:
    """The kinds of timeline entry; the profile's filter offers them in this order."""

    POST = "post"
    REPLY = "reply"
    CONVERSATION = "conversation"
    CASE = "case"
    APPROVAL = "approval"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    NOTE = "note"
    ORDER = "order"
    IDEA = "idea"


KIND_LABELS = {
    Kind.POST: "Posts",
    Kind.REPLY: "Replies",
    Kind.CONVERSATION: "Conversations",
    Kind.CASE: "Cases",
    Kind.APPROVAL: "Approvals",
    Kind.CALL: "Calls",
    Kind.EMAIL: "Emails",
    Kind.MEETING: "Meetings",
    Kind.NOTE: "Notes",
    Kind.ORDER: "Purchases",
    Kind.IDEA: "Ideas",
}

TITLE_MAX = 200
SUMMARY_MAX = 500


def clip(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ref_of(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


class Happening(TypedDict):
    """What an entry says happened, as its builders and `add_entry` take it."""

    occurred_at: datetime
    kind: str
    title: str
    summary: NotRequired[str]
    sentiment: NotRequired[str]
    ref: NotRequired[str]


def build(contact_id: int, workspace_id: int, **happening: Unpack[Happening]) -> TimelineEntry:
    """An unsaved entry; the title and summary clipped to their columns (shown escaped)."""
    kind = happening["kind"]
    return TimelineEntry(
        workspace_id=workspace_id,
        contact_id=contact_id,
        occurred_at=happening["occurred_at"],
        kind=kind,
        title=clip(happening["title"], TITLE_MAX) or kind,
        summary=clip(happening.get("summary", ""), SUMMARY_MAX),
        sentiment=happening.get("sentiment") or "",
        ref=happening.get("ref", "")[:80],
    )


def add_entry(contact: Contact, **happening: Unpack[Happening]) -> TimelineEntry:
    """Adds one entry to `contact`'s timeline (or returns the one already there for this ref)."""
    return place(contact, build(contact.pk, contact.workspace_id, **happening))


def place(contact: Contact, entry: TimelineEntry) -> TimelineEntry:
    """Stores `entry` on `contact`'s timeline, or on the contact it was merged into; when that
    timeline has it already (same ref, kind and time), returns the stored one instead."""
    target = survivor(contact)
    entry.contact_id, entry.workspace_id = target.pk, target.workspace_id
    if entry.ref:
        existing = TimelineEntry.objects.filter(
            ref=entry.ref, contact_id=target.pk, kind=entry.kind, occurred_at=entry.occurred_at
        ).first()
        if existing is not None:
            return existing
    entry.save()
    return entry


def survivor(contact: Contact) -> Contact:
    """The contact a merged one became (merges can chain; a loop is cut after a few steps)."""
    seen = 0
    while contact.merged_into_id is not None and seen < 10:
        contact = Contact.objects.get(pk=contact.merged_into_id)
        seen += 1
    return contact


def insert_missing(entries: Sequence[TimelineEntry]) -> int:
    """Bulk-inserts the entries not already stored (same contact, kind, ref and time)."""
    if not entries:
        return 0
    refs = {e.ref for e in entries if e.ref}
    contacts = {e.contact_id for e in entries}
    have = set(
        TimelineEntry.objects.filter(ref__in=refs, contact_id__in=contacts).values_list(
            "contact_id", "kind", "ref", "occurred_at"
        )
    )
    fresh, seen = [], set(have)
    for e in entries:
        key = (e.contact_id, e.kind, e.ref, e.occurred_at)
        if e.ref and key in seen:
            continue
        seen.add(key)
        fresh.append(e)
    TimelineEntry.objects.bulk_create(fresh, batch_size=1000)
    return len(fresh)


# ---- what each source row becomes ----


def post_title(post: Post) -> str:
    who = f"@{post.author_handle}" if post.author_handle else "them"
    return f"Post by {who} on {post.network}"


#: Happening `post_entry` reads of a post.
POST_ENTRY_FIELDS = (
    "pk", "workspace_id", "network", "author_handle", "title", "text", "posted_at", "sentiment",
)  # fmt: skip


def post_entry(post: Post, contact_id: int) -> TimelineEntry:
    return build(
        contact_id,
        post.workspace_id,
        occurred_at=post.posted_at,
        kind=Kind.POST,
        title=post_title(post),
        summary=post.title or post.text,
        sentiment=post.sentiment or "",
        ref=ref_of(post),
    )


def reply_entry(reply: Reply, contact_id: int) -> TimelineEntry:
    author = reply.author.user.display_name if reply.author else "Someone"
    verb = "would have replied (record-only)" if reply.recorded_only else "replied"
    return build(
        contact_id,
        reply.workspace_id,
        occurred_at=reply.sent_at or reply.created_at,
        kind=Kind.REPLY,
        title=f"{author} {verb} on {reply.network}",
        summary=reply.text,
        ref=ref_of(reply),
    )


def case_entries(case: Case) -> list[TimelineEntry]:
    if case.customer_id is None:
        return []
    moments = [(case.created_at, "opened", case.description)]
    if case.resolved_at is not None:
        moments.append((case.resolved_at, "resolved", ""))
    return [
        build(
            case.customer_id,
            case.workspace_id,
            occurred_at=when,
            kind=Kind.CASE,
            title=f"Case #{case.pk} {what}: {case.subject}",
            summary=summary,
            ref=ref_of(case),
        )
        for when, what, summary in moments
    ]


def conversation_entry(conv: Conversation, contact_id: int, *, resolved: bool) -> TimelineEntry:
    when = conv.resolved_at if resolved and conv.resolved_at else conv.created_at
    state = "resolved" if resolved else "started"
    return build(
        contact_id,
        conv.workspace_id,
        occurred_at=when,
        kind=Kind.CONVERSATION,
        title=f"Conversation {state}: {conv.subject}",
        sentiment=conv.sentiment or "",
        ref=ref_of(conv),
    )


def interaction_entry(interaction: Interaction) -> TimelineEntry:
    kind = interaction.kind if interaction.kind in KIND_LABELS else Kind.NOTE
    direction = f" ({interaction.get_direction_display().lower()})" if interaction.direction else ""
    label = interaction.get_kind_display()
    title = (
        f"{label}{direction}: {interaction.subject}" if interaction.subject else label + direction
    )
    return build(
        interaction.contact_id,
        interaction.workspace_id,
        occurred_at=interaction.occurred_at,
        kind=kind,
        title=title,
        summary=interaction.body,
        ref=ref_of(interaction),
    )


def order_entry(order: Order, products: Iterable[str] = ()) -> TimelineEntry:
    names = ", ".join(products)
    status = "" if order.status == Order.State.PAID else f" ({order.get_status_display().lower()})"
    return build(
        order.contact_id,
        order.workspace_id,
        occurred_at=order.ordered_at,
        kind=Kind.ORDER,
        title=f"Bought {names or 'an order'}: {order.currency} {order.total:,.2f}{status}",
        ref=ref_of(order),
    )


def approval_entry(approval: Approval, contact_id: int) -> TimelineEntry:
    if approval.state == "pending" or approval.decided_at is None:
        title, when = f"Approval requested: {approval.summary}", approval.created_at
    else:
        title = f"Approval {approval.get_state_display().lower()}: {approval.summary}"
        when = approval.decided_at
    return build(
        contact_id,
        approval.workspace_id,
        occurred_at=when,
        kind=Kind.APPROVAL,
        title=title,
        summary=approval.comment or approval.reason,
        ref=ref_of(approval),
    )


# ---- live: posts from linked identities ----


def record_triaged_posts(workspace_id: int, post_ids: Sequence[int]) -> int:
    """A triaged batch's posts by known customers join their timelines (`post.triaged`): one
    query for the posts whose author's identity is linked to a contact, one bulk insert."""
    posts = (
        Post.objects.filter(
            workspace_id=workspace_id,
            pk__in=list(post_ids),
            identity__contact__isnull=False,
            deleted_at__isnull=True,
        )
        .annotate(author_contact=F("identity__contact_id"))
        .only(*POST_ENTRY_FIELDS)
    )
    return insert_missing([post_entry(p, p.author_contact) for p in posts])


# ---- live: contacts' own writes (their events, wired in wiring.py) ----


def contact_of_post(post_id: int) -> int | None:
    """The contact who wrote the post, when its author's identity is linked to one."""
    return (
        Post.objects.filter(pk=post_id, identity__contact__isnull=False)
        .values_list("identity__contact_id", flat=True)
        .first()
    )


def record_reply(workspace_id: int, reply_id: int) -> int:
    """A published reply joins the timeline of the contact who wrote the post it answers."""
    reply = (
        Reply.objects.select_related("author__user")
        .filter(pk=reply_id, workspace_id=workspace_id, status=Reply.Status.SENT)
        .first()
    )
    contact_id = contact_of_post(reply.post_id) if reply is not None else None
    if reply is None or contact_id is None:
        return 0
    return insert_missing([reply_entry(reply, contact_id)])


def record_interaction(workspace_id: int, interaction_id: int) -> TimelineEntry | None:
    """Puts a logged interaction on its contact's timeline (or the contact it was merged into)."""
    interaction = (
        Interaction.objects.select_related("contact")
        .filter(pk=interaction_id, workspace_id=workspace_id)
        .first()
    )
    if interaction is None:
        return None
    return place(interaction.contact, interaction_entry(interaction))


def record_orders(workspace_id: int, order_ids: Sequence[int]) -> int:
    """Entries for new orders, each naming the products on it."""
    orders = list(Order.objects.filter(workspace_id=workspace_id, pk__in=order_ids).order_by("pk"))
    names = product_names([o.pk for o in orders])
    return insert_missing([order_entry(o, names.get(o.pk, [])) for o in orders])


def record_identities(workspace_id: int, identity_ids: Sequence[int]) -> int:
    """An identity linked to a contact brings its posts, replies and conversations along."""
    by_contact: dict[int, list[int]] = defaultdict(list)
    for pk, contact_id in Identity.objects.filter(
        workspace_id=workspace_id, pk__in=identity_ids, contact__isnull=False
    ).values_list("pk", "contact_id"):
        by_contact[contact_id].append(pk)
    return insert_missing(
        [e for contact_id, ids in by_contact.items() for e in identity_entries(ids, contact_id)]
    )


# ---- live: cases and approvals (their events, wired in wiring.py) ----


def record_new_case(case: Case) -> int:
    """A case being opened, on its customer's timeline (its ref is new: nothing to skip)."""
    entries = case_entries(case)
    TimelineEntry.objects.bulk_create(entries)
    return len(entries)


def record_case(workspace_id: int, case_id: int) -> int:
    """The case's entries on its customer's timeline: opened, and resolved when it is."""
    case = Case.objects.filter(pk=case_id, workspace_id=workspace_id).first()
    return insert_missing(case_entries(case)) if case is not None else 0


def approval_contact(approval: Approval) -> int | None:
    """The contact an approval is about: a case's customer, or the author of a replied post."""
    model = approval.content_type.model_class()
    if model is None:
        return None
    label = model._meta.label_lower
    if label == "cases.case":
        return (
            Case.objects.filter(pk=approval.object_id).values_list("customer_id", flat=True).first()
        )
    if label == "engagement.reply":
        return (
            Reply.objects.filter(pk=approval.object_id)
            .values_list("post__identity__contact_id", flat=True)
            .first()
        )
    return None


def record_approval(workspace_id: int, approval_id: int) -> int:
    """The approval's entry (asked, or as decided) on the timeline of the contact it is about."""
    approval = (
        Approval.objects.select_related("content_type")
        .filter(pk=approval_id, workspace_id=workspace_id)
        .first()
    )
    if approval is None:
        return 0
    contact_id = approval_contact(approval)
    return insert_missing([approval_entry(approval, contact_id)]) if contact_id else 0


# ---- live: conversations (the inbox's events, wired in wiring.py) ----


def record_resolved_conversation(workspace_id: int, conversation_id: int) -> int:
    """A known customer's conversation was resolved (`conversation.resolved`)."""
    conv = (
        Conversation.objects.filter(
            pk=conversation_id, workspace_id=workspace_id, identity__contact__isnull=False
        )
        .select_related("identity")
        .first()
    )
    if conv is None or conv.identity is None or conv.identity.contact_id is None:
        return 0
    return insert_missing([conversation_entry(conv, conv.identity.contact_id, resolved=True)])


# ---- backfill ----


def product_names(order_ids: Sequence[int]) -> dict[int, list[str]]:
    names: dict[int, list[str]] = {}
    for order_id, name in (
        OrderLine.objects.filter(order_id__in=list(order_ids))
        .order_by("order_id", "id")
        .values_list("order_id", "product__name")
    ):
        names.setdefault(order_id, []).append(name)
    return names


def identity_entries(identity_ids: Sequence[int], contact_id: int) -> list[TimelineEntry]:
    """Posts, replies to them and conversations of the given identities, as `contact_id`'s."""
    ids = list(identity_ids)
    if not ids:
        return []
    posts = list(
        Post.objects.filter(identity_id__in=ids, deleted_at__isnull=True).only(*POST_ENTRY_FIELDS)
    )
    out = [post_entry(p, contact_id) for p in posts]
    replies = Reply.objects.filter(
        post__identity_id__in=ids, status=Reply.Status.SENT
    ).select_related("author__user")
    out += [reply_entry(r, contact_id) for r in replies]
    for conv in Conversation.objects.filter(identity_id__in=ids, merged_into__isnull=True):
        out.append(conversation_entry(conv, contact_id, resolved=False))
        if conv.resolved_at is not None and conv.status in ("resolved", "closed"):
            out.append(conversation_entry(conv, contact_id, resolved=True))
    return out


def backfill(contact: Contact) -> int:
    """Adds every entry `contact` should have from the stored rows and lacks; returns how many.

    Reads the contact's identities' posts, replies and conversations, its cases (and their
    approvals), logged interactions and orders.
    """
    cid, wid = contact.pk, contact.workspace_id
    identity_ids = list(Identity.objects.filter(contact_id=cid).values_list("pk", flat=True))
    entries = identity_entries(identity_ids, cid)
    cases = list(Case.objects.filter(workspace_id=wid, customer_id=cid))
    for case in cases:
        entries += case_entries(case)
    if cases:
        case_type = ContentType.objects.get_for_model(Case)
        for approval in Approval.objects.filter(
            workspace_id=wid, content_type=case_type, object_id__in=[c.pk for c in cases]
        ):
            entries.append(approval_entry(approval, cid))
    entries += [interaction_entry(i) for i in Interaction.objects.filter(contact_id=cid)]
    orders = list(Order.objects.filter(contact_id=cid))
    names = product_names([o.pk for o in orders])
    entries += [order_entry(o, names.get(o.pk, [])) for o in orders]
    return insert_missing(entries)


def forget_posts(workspace_id: int, post_ids: Sequence[int]) -> int:
    """Removes the entries of posts their authors deleted on the network: the timeline keeps no
    copy of a text the author took back (`post.deleted`)."""
    refs = [f"{Post._meta.label_lower}:{pk}" for pk in post_ids]
    deleted, _ = TimelineEntry.objects.filter(workspace_id=workspace_id, ref__in=refs).delete()
    return deleted
