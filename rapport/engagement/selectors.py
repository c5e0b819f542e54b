"""Reads of engagement: the outbox, replies to a post, canned responses; `access_*` helpers."""

from django.db.models import Q, QuerySet

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply
from rapport.engagement.policy import policy_for
from rapport.listening.models import Post

#: The tabs of the outbox: each a set of reply statuses.
OUTBOX_TABS: dict[str, tuple[str, ...]] = {
    "queued": (Reply.Status.QUEUED, Reply.Status.SENDING),
    "waiting": (Reply.Status.PENDING_APPROVAL,),
    "sent": (Reply.Status.SENT,),
    "failed": (Reply.Status.FAILED, Reply.Status.REJECTED),
}


def access_reply(member: Membership, reply_id: object) -> Reply:
    return access_in_workspace(
        member, Reply.objects.select_related("post", "author__user"), reply_id
    )


def access_canned(member: Membership, canned_id: object) -> CannedResponse:
    return access_in_workspace(member, CannedResponse.objects.all(), canned_id)


def outbox(member: Membership, *, tab: str = "", q: str = "") -> QuerySet[Reply]:
    """Replies of the workspace, newest first; `tab` one of OUTBOX_TABS, `q` searches the text."""
    replies = Reply.objects.filter(workspace=member.workspace).select_related(
        "post", "author__user"
    )
    if tab in OUTBOX_TABS:
        replies = replies.filter(status__in=OUTBOX_TABS[tab])
    if q:
        replies = replies.filter(
            Q(text__icontains=q) | Q(post__author_handle__icontains=q) | Q(network__iexact=q)
        )
    return replies.order_by("-created_at", "-id")


def outbox_counts(member: Membership) -> dict[str, int]:
    replies = Reply.objects.filter(workspace=member.workspace)
    return {
        tab: replies.filter(status__in=statuses).count() for tab, statuses in OUTBOX_TABS.items()
    }


def replies_to(member: Membership, post: Post) -> QuerySet[Reply]:
    return (
        Reply.objects.filter(workspace=member.workspace, post=post)
        .select_related("author__user")
        .order_by("created_at", "id")
    )


def canned_responses(member: Membership, q: str = "") -> QuerySet[CannedResponse]:
    responses = CannedResponse.objects.filter(workspace=member.workspace)
    if q:
        responses = responses.filter(Q(name__icontains=q) | Q(text__icontains=q))
    return responses.order_by("name")


def engagement_policy(member: Membership) -> EngagementPolicy:
    return policy_for(member.workspace)
