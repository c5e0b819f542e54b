"""Every write of engagement: replies (send, retry, withdraw, approval outcome), canned
responses and the engagement policy, each audited in one transaction; what happens to replies is
told to the other domains through the events of `rapport.engagement.events`.

Sending a reply checks it against the policy: blocks refuse it (`ReplyBlocked` carries the
findings), needs-approval findings ask the policy's approver role for an Approval and the reply
waits, otherwise it is queued to the outbox. The post's row is locked while a reply is created
and a post has at most one reply on its way, so two people answering at once cannot both send.
"""

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.timesince import timesince

from rapport.approvals import actions as approvals
from rapport.approvals.models import Approval
from rapport.core import links
from rapport.core.audit import action, record, record_by, snapshot
from rapport.core.events import emit
from rapport.core.models import Membership, Team, Workspace
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require, require_own_or
from rapport.core.roles import Role
from rapport.engagement import canned, outbox
from rapport.engagement.events import (
    REPLY_APPROVED,
    REPLY_REJECTED,
    REPLY_SENT,
    REPLY_WITHDRAWN,
)
from rapport.engagement.models import CannedResponse, EngagementPolicy, Reply
from rapport.engagement.policy import (
    Draft,
    Finding,
    Severity,
    blocks,
    check,
    needs_approval,
    network_label,
    policy_for,
)
from rapport.listening.models import Post

REPLY_FIELDS = ["post", "network", "visibility", "status", "text", "status_link"]
CANNED_FIELDS = ["name", "text"]
POLICY_FIELDS = [
    "forbidden_phrases",
    "sensitive_topics",
    "block_card_numbers",
    "block_account_numbers",
    "block_emails",
    "block_phone_numbers",
    "public_contacts",
    "disclosure",
    "designated_role",
    "approval_roles",
    "approver_role",
    "approval_hours",
    "tone_check",
    "record_only",
]
MAX_REPLY = 20_000  # whatever the network; the per-network limit is a finding
MAX_LIST_ITEMS = 200


class ReplyBlocked(ValidationError):
    """The policy blocks the reply; `findings` are all of them, blocks first."""

    def __init__(self, findings: list[Finding]) -> None:
        reasons = " ".join(f.message for f in blocks(findings))
        super().__init__(f"The reply cannot be sent. {reasons}", code="blocked")
        self.findings = findings


class ReplyConflict(ValidationError):
    """Someone else is answering, or has just answered, the same post."""

    def __init__(self, message: str, other: Reply) -> None:
        super().__init__(message, code="conflict")
        self.other = other


def _who(member: Membership | None) -> str:
    return str(member.user) if member is not None else "Someone"


def _clean_status_link(link: str | None) -> str | None:
    return links.clean_web_url(link, "status link", field="status_link", max_length=500) or None


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_REPLY:
        raise ValidationError({"text": f"A reply has at most {MAX_REPLY} characters."})
    return text


def _clean_visibility(visibility: str) -> str:
    if visibility not in Reply.Visibility.values:
        known = ", ".join(Reply.Visibility.values)
        raise ValidationError({"visibility": f"Unknown visibility {visibility!r}; use {known}."})
    return visibility


def check_draft(
    actor: Membership, post: Post, *, text: str, visibility: str = Reply.Visibility.PUBLIC
) -> list[Finding]:
    """The findings on a reply being written (a read: nothing is stored)."""
    require(actor, Verb.REPLY)
    return check(
        Draft(
            text=_clean_text(text),
            post=post,
            author=actor,
            visibility=_clean_visibility(visibility),
        ),
        policy_for(actor.workspace),
    )


def _conflict(post: Post, seen_reply_id: int | None) -> None:
    other = (
        Reply.objects.filter(post=post, status__in=Reply.IN_FLIGHT)
        .select_related("author__user")
        .first()
    )
    if other is not None:
        raise ReplyConflict(
            f"{_who(other.author)} is already replying to this post (their reply is "
            f"{other.get_status_display().lower()}). Read it before you answer, so the "
            "customer does not get two answers.",
            other,
        )
    if seen_reply_id is not None:
        newer = (
            Reply.objects.filter(post=post, status=Reply.Status.SENT, pk__gt=seen_reply_id)
            .select_related("author__user")
            .order_by("-sent_at")
            .first()
        )
        if newer is not None:
            ago = timesince(newer.sent_at or newer.created_at)
            raise ReplyConflict(
                f"{_who(newer.author)} replied to this post {ago} ago while you were writing: "
                f"“{newer.text[:120]}”. Read it, then send yours only if it still helps.",
                newer,
            )


def latest_reply_id(post: Post) -> int:
    """The id of the newest reply to `post` so far (0 when none): the composer sends it back."""
    return Reply.objects.filter(post=post).order_by("-pk").values_list("pk", flat=True).first() or 0


@action("reply.send")
def send_reply(
    actor: Membership,
    post: Post,
    *,
    text: str,
    visibility: str = Reply.Visibility.PUBLIC,
    canned_response: CannedResponse | None = None,
    status_link: str | None = None,
    seen_reply_id: int | None = None,
) -> Reply:
    """Checks the reply, then queues it, or asks for an approval; blocked replies are refused.

    `seen_reply_id` is the newest reply the author had seen (`latest_reply_id` when the composer
    opened): a reply sent since then by someone else refuses this one with their text.
    """
    require(actor, Verb.REPLY)
    if post.workspace_id != actor.workspace_id:
        raise PermissionDenied("You can only reply to posts of your workspace.")
    if canned_response is not None and canned_response.workspace_id != actor.workspace_id:
        raise PermissionDenied("That canned response belongs to another workspace.")
    text = _clean_text(text)
    visibility = _clean_visibility(visibility)
    link = _clean_status_link(status_link)
    post = Post.objects.select_for_update(of=("self",)).select_related("source").get(pk=post.pk)
    _conflict(post, seen_reply_id)
    policy = policy_for(actor.workspace)
    findings = check(Draft(text=text, post=post, author=actor, visibility=visibility), policy)
    if blocks(findings):
        raise ReplyBlocked(findings)
    waits = needs_approval(findings)
    now = timezone.now()
    try:
        with transaction.atomic():
            reply = Reply.objects.create(
                workspace=actor.workspace,
                post=post,
                author=actor,
                network=post.network,
                text=text,
                visibility=visibility,
                status=Reply.Status.PENDING_APPROVAL if waits else Reply.Status.QUEUED,
                findings=[f.as_dict() for f in findings],
                canned_response=canned_response,
                status_link=link,
                queued_at=None if waits else now,
            )
    except IntegrityError:  # a reply became in flight between the check and the insert
        _conflict(post, None)
        raise
    record_by(actor, verb="reply.send", obj=reply, after=snapshot(reply, REPLY_FIELDS))
    emit(
        REPLY_SENT,
        reply.workspace_id,
        actor=actor,
        object_id=reply.pk,
        post=post.pk,
        network=post.network,
        visibility=visibility,
        status=str(reply.status),
    )
    if waits:
        reasons = [f.message for f in findings if f.severity == Severity.NEEDS_APPROVAL]
        handle = f" to @{post.author_handle}" if post.author_handle else ""
        approvals.request_approval(
            actor,
            reply,
            summary=f"{_who(actor)}'s reply{handle} on {network_label(post.network)}",
            approver_role=policy.approver_role,
            reason=" ".join(reasons),
            expires_in=timedelta(hours=policy.approval_hours or 48),
        )
    else:
        outbox.enqueue([reply.pk])
    return reply


def reply_approval_decided(
    approval: Approval, actor: Membership | None, edits: dict[str, str]
) -> None:
    """The approval of a reply was decided: queue it (with the approver's edits) or drop it."""
    reply = (
        Reply.objects.select_for_update(of=("self",))
        .select_related("post__source", "author")
        .get(pk=approval.object_id)
    )
    if reply.status != Reply.Status.PENDING_APPROVAL:
        raise ValidationError(
            f"The reply is {reply.get_status_display().lower()} now: there is nothing to decide."
        )
    before = snapshot(reply, REPLY_FIELDS)
    if approval.state == Approval.State.APPROVED:
        assert actor is not None
        new_text = _clean_text(edits["text"]) if "text" in edits else reply.text
        if new_text != reply.text:
            author = reply.author or actor
            findings = check(
                Draft(text=new_text, post=reply.post, author=author, visibility=reply.visibility),
                policy_for(reply.workspace),
            )
            if blocks(findings):
                raise ReplyBlocked(findings)
            reply.text = new_text
            reply.findings = [f.as_dict() for f in findings]
        reply.status = Reply.Status.QUEUED
        reply.queued_at = timezone.now()
        reply.save(update_fields=["text", "findings", "status", "queued_at", "updated_at"])
        if before["text"] != reply.text:
            record_by(
                actor,
                verb="reply.edit_on_approval",
                obj=reply,
                before={"text": before["text"]},
                after={"text": reply.text},
            )
        emit(
            REPLY_APPROVED,
            reply.workspace_id,
            actor=actor,
            object_id=reply.pk,
            post=reply.post_id,
            edited=before["text"] != reply.text,
        )
        outbox.enqueue([reply.pk])
    elif approval.state == Approval.State.WITHDRAWN:
        _back_to_draft(reply, actor)
    else:  # rejected or expired
        reply.status = Reply.Status.REJECTED
        reply.last_error = (
            approval.comment or f"The approval {approval.get_state_display().lower()}."
        )
        reply.save(update_fields=["status", "last_error", "updated_at"])
        emit(
            REPLY_REJECTED,
            reply.workspace_id,
            actor=actor,
            object_id=reply.pk,
            post=reply.post_id,
            expired=approval.state == Approval.State.EXPIRED,
        )


def _back_to_draft(reply: Reply, actor: Membership | None) -> None:
    """A waiting reply taken back: a draft again, and its post free for another answer."""
    reply.status = Reply.Status.DRAFT
    reply.save(update_fields=["status", "updated_at"])
    emit(REPLY_WITHDRAWN, reply.workspace_id, actor=actor, object_id=reply.pk, post=reply.post_id)


@action("reply.retry")
def retry_reply(actor: Membership, reply: Reply) -> Reply:
    """Queues a failed reply again, as its author or a manager."""
    require_own_or(actor, reply.author_id, Verb.REPLY, Verb.RETRY_OTHERS_REPLIES)
    reply = Reply.objects.select_for_update(of=("self",)).get(pk=reply.pk)
    if reply.status != Reply.Status.FAILED:
        raise ValidationError(
            f"Only a failed reply can be retried; this one is {reply.get_status_display().lower()}."
        )
    before = snapshot(reply, REPLY_FIELDS)
    reply.status = Reply.Status.QUEUED
    reply.attempts = 0
    reply.next_attempt_at = None
    reply.queued_at = timezone.now()
    try:
        with transaction.atomic():
            reply.save(
                update_fields=["status", "attempts", "next_attempt_at", "queued_at", "updated_at"]
            )
    except IntegrityError:
        _conflict(reply.post, None)
        raise
    record_by(
        actor, verb="reply.retry", obj=reply, before=before, after=snapshot(reply, REPLY_FIELDS)
    )
    outbox.enqueue([reply.pk])
    return reply


@action("reply.withdraw")
def withdraw_reply(actor: Membership, reply: Reply) -> Reply:
    """The author takes back a reply that waits for approval; it becomes a draft again."""
    if reply.author_id != actor.pk:
        raise PermissionDenied("Only the author of a reply may withdraw it.")
    if reply.status != Reply.Status.PENDING_APPROVAL:
        raise ValidationError(
            f"Only a reply waiting for approval can be withdrawn; this one is "
            f"{reply.get_status_display().lower()}."
        )
    before = snapshot(reply, REPLY_FIELDS)
    approval = Approval.objects.filter(
        object_id=reply.pk,
        content_type__model="reply",
        content_type__app_label="engagement",
        state=Approval.State.PENDING,
    ).first()
    if approval is not None:
        approvals.withdraw(actor, approval)
    else:  # pragma: no cover - a pending reply always has its approval
        _back_to_draft(reply, actor)
    reply.refresh_from_db()
    record_by(
        actor, verb="reply.withdraw", obj=reply, before=before, after=snapshot(reply, REPLY_FIELDS)
    )
    return reply


# Canned responses ---------------------------------------------------------------------------


@action("canned.create")
def create_canned(actor: Membership, *, name: str, text: str) -> CannedResponse:
    require(actor, Verb.MANAGE_CANNED)
    response = CannedResponse.objects.create(
        workspace=actor.workspace,
        name=unique_name(
            name,
            taken=CannedResponse.objects.filter(workspace=actor.workspace),
            noun="canned response",
        ),
        text=canned.validate(text),
        created_by=actor,
    )
    record_by(actor, verb="canned.create", obj=response, after=snapshot(response, CANNED_FIELDS))
    return response


def canned_or_default(workspace: Workspace, name: str, text: str) -> CannedResponse:
    """The workspace's canned response called `name`, written with `text` when it has none: a
    domain's default template (an idea's announcement), edited in Settings like any other."""
    found = CannedResponse.objects.filter(workspace=workspace, name=name).first()
    if found is not None:
        return found
    with transaction.atomic():
        response, made = CannedResponse.objects.get_or_create(
            workspace=workspace, name=name, defaults={"text": canned.validate(text)}
        )
        if made:
            record(
                actor=None,
                workspace=workspace,
                verb="canned.create",
                obj=response,
                after=snapshot(response, CANNED_FIELDS),
            )
    return response


@action("canned.update")
def update_canned(
    actor: Membership, response: CannedResponse, *, name: str | None = None, text: str | None = None
) -> CannedResponse:
    require(actor, Verb.MANAGE_CANNED)
    before = snapshot(response, CANNED_FIELDS)
    if name is not None:
        response.name = unique_name(
            name,
            taken=CannedResponse.objects.filter(workspace=actor.workspace),
            noun="canned response",
            exclude=response.pk,
        )
    if text is not None:
        response.text = canned.validate(text)
    response.save()
    record_by(
        actor,
        verb="canned.update",
        obj=response,
        before=before,
        after=snapshot(response, CANNED_FIELDS),
    )
    return response


@action("canned.delete")
def delete_canned(actor: Membership, response: CannedResponse) -> None:
    require(actor, Verb.MANAGE_CANNED)
    record_by(actor, verb="canned.delete", obj=response, before=snapshot(response, CANNED_FIELDS))
    response.delete()


# The engagement policy ------------------------------------------------------------------------


def _clean_list(field: str, values: Any, *, lower: bool = False) -> list[str]:
    if isinstance(values, str):
        values = values.splitlines()
    if not isinstance(values, list | tuple):
        raise ValidationError({field: "Give a list of words or phrases, one a line."})
    cleaned: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise ValidationError({field: "Each entry must be text."})
        value = " ".join(value.split())
        if len(value) > 200:
            raise ValidationError({field: f"“{value[:40]}…” is longer than 200 characters."})
        if value and value.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(value.lower() if lower else value)
    if len(cleaned) > MAX_LIST_ITEMS:
        raise ValidationError({field: f"At most {MAX_LIST_ITEMS} entries."})
    return cleaned


def _clean_role(field: str, role: str) -> str:
    if role not in Role.values:
        raise ValidationError(
            {field: f"Unknown role {role!r}; use one of {', '.join(Role.values)}."}
        )
    return role


@action("engagement_policy.update")
def update_policy(
    actor: Membership, *, designated_teams: list[Team] | None = None, **changes: Any
) -> EngagementPolicy:
    """Changes the workspace's policy (admins); unknown settings are refused by name."""
    require(actor, Verb.ENGAGEMENT_POLICY)
    unknown = sorted(set(changes) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown policy setting(s): {', '.join(unknown)}.")
    policy = policy_for(actor.workspace)
    before = snapshot(policy, POLICY_FIELDS) if policy.pk else None
    for field in ("forbidden_phrases", "sensitive_topics", "public_contacts"):
        if field in changes:
            setattr(policy, field, _clean_list(field, changes[field]))
    if "approval_roles" in changes:
        roles = _clean_list("approval_roles", changes["approval_roles"], lower=True)
        policy.approval_roles = [_clean_role("approval_roles", r) for r in roles]
    for field in ("designated_role", "approver_role"):
        if field in changes:
            setattr(policy, field, _clean_role(field, changes[field]))
    if "approver_role" in changes and not Role(policy.approver_role).at_least(Role.AGENT):
        raise ValidationError({"approver_role": "Approvers must be agents or above."})
    if "disclosure" in changes:
        disclosure = " ".join(str(changes["disclosure"] or "").split())
        if len(disclosure) > 200:
            raise ValidationError({"disclosure": "A disclosure has at most 200 characters."})
        policy.disclosure = disclosure
    if "approval_hours" in changes:
        hours = changes["approval_hours"]
        if not isinstance(hours, int) or not 1 <= hours <= 24 * 30:
            raise ValidationError({"approval_hours": "Give between 1 and 720 hours."})
        policy.approval_hours = hours
    for field in (
        "block_card_numbers",
        "block_account_numbers",
        "block_emails",
        "block_phone_numbers",
        "tone_check",
        "record_only",
    ):
        if field in changes:
            setattr(policy, field, bool(changes[field]))
    policy.save()
    if designated_teams is not None:
        if any(t.workspace_id != actor.workspace_id for t in designated_teams):
            raise PermissionDenied("Designated teams must be teams of this workspace.")
        policy.designated_teams.set(designated_teams)
    after = snapshot(policy, POLICY_FIELDS)
    after["designated_teams"] = sorted(policy.designated_teams.values_list("pk", flat=True))
    record_by(actor, verb="engagement_policy.update", obj=policy, before=before, after=after)
    return policy
