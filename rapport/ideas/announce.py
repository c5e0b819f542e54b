"""Telling an idea's people what became of it: when it is planned, shipped or declined, each
voter and follower hears it once per change, on the channel they used.

- Voted from a post: a reply to that post on its network, through engagement (the policy check,
  an approval where the policy asks for one, the outbox, record-only mode), written as the
  member who changed the status; private where the network only answers privately (email).
- Voted on the portal, or follows the idea: an email. A vote an employee added for them: their
  email if they have one. Members who follow the idea get a notification in Rapport.
- Do-not-contact, and a withdrawn consent (the newest row for the channel or for "all"), skip
  the person; so does having no way to reach them. Each skip keeps its reason.

Once, even when the task runs twice: the change's people are listed as pending Announcement rows
(one per person) in the transaction that marks the change listed (`announced_at`, under a lock),
and each row is then sent in a transaction that locks it and marks it sent, failed or skipped.

The text is the workspace's canned response for the status ("Idea shipped"…), written with a
default the first time and edited in Settings → Canned responses like any other; it may use the
idea's variables (`IDEA_VARIABLES`) beside the usual ones.
"""

import logging
import re
from collections import Counter
from smtplib import SMTPException

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from rapport.contacts.models import Consent, Contact
from rapport.core.audit import record
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.engagement import canned
from rapport.engagement.actions import ReplyBlocked, canned_or_default, send_reply
from rapport.engagement.models import CannedResponse, Reply
from rapport.engagement.policy import (
    blocks,
    is_designated,
    network_label,
    policy_for,
    private_only,
    reply_length,
    reply_limit,
)
from rapport.ideas.events import IDEA_ANNOUNCED
from rapport.ideas.links import idea_path, portal_url
from rapport.ideas.models import ANNOUNCED, Announcement, Follower, Idea, Status, StatusChange, Vote
from rapport.ideas.voters import people, person
from rapport.notifications.actions import notify_members
from rapport.notifications.models import Kind

logger = logging.getLogger(__name__)

EMAIL = "email"
State = Announcement.State

#: What an idea's announcement may say besides the usual variables of a canned response.
IDEA_VARIABLES = {
    "idea.title": "The idea's title (in an idea's announcement; empty in other replies)",
    "idea.status": "Its new status: planned, shipped or declined",
    "idea.note": "The public note that came with the status",
    "idea.link": "Its page on the idea portal",
}

#: The canned response of each announced status, by name, and the text it starts with.
TEMPLATES: dict[str, tuple[str, str]] = {
    Status.PLANNED: (
        "Idea planned",
        "Hi {{ contact.first_name }}, thank you for your idea “{{ idea.title }}”: it is now "
        "planned. {{ idea.note }} Follow it here: {{ idea.link }}",
    ),
    Status.SHIPPED: (
        "Idea shipped",
        "Hi {{ contact.first_name }}, good news: “{{ idea.title }}”, which you asked for, has "
        "shipped. {{ idea.note }} {{ idea.link }}",
    ),
    Status.DECLINED: (
        "Idea declined",
        "Hi {{ contact.first_name }}, about your idea “{{ idea.title }}”: we have decided not to "
        "do it. {{ idea.note }} {{ idea.link }} Thank you for telling us.",
    ),
}


# Listing who is told -----------------------------------------------------------------------


def _rank(vote: Vote) -> tuple[bool, int, object, int]:
    """The vote whose channel a person is told on: a counted one first, a post's before the
    portal's before an employee's, then the earliest."""
    if vote.source == Vote.Source.POST and vote.post is not None and not vote.post.deleted_at:
        how = 0
    else:
        how = 1 if vote.source == Vote.Source.PORTAL else 2
    return (not vote.counted, how, vote.created_at, vote.pk)


def audience(idea: Idea) -> dict[int, tuple[str, int | None]]:
    """Each person to tell, as their contact's id -> (channel, the post to answer or None).

    A person is a contact after merges: a voter merged into another contact, or a follower who
    also voted, is told once.
    """
    votes = sorted(
        Vote.objects.filter(idea=idea).select_related("post").only(
            "pk", "contact_id", "source", "counted", "created_at", "post__network",
            "post__deleted_at",
        ),
        key=_rank,
    )  # fmt: skip
    following = list(
        Follower.objects.filter(idea=idea, contact__isnull=False).values_list(
            "contact_id", flat=True
        )
    )
    now_is = people({v.contact_id for v in votes} | {c for c in following if c is not None})
    told: dict[int, tuple[str, int | None]] = {}
    for vote in votes:
        who = now_is[vote.contact_id]
        if who not in told:
            answer = _rank(vote)[1] == 0
            told[who] = (vote.post.network, vote.post_id) if answer and vote.post else (EMAIL, None)
    for contact_id in following:
        if contact_id is not None:
            told.setdefault(now_is[contact_id], (EMAIL, None))
    return told


def _list(change_id: int) -> StatusChange | None:
    """The change, with its people listed as pending announcements the first time (and its
    member followers notified); None when it is not one that is announced."""
    with transaction.atomic():
        change = (
            StatusChange.objects.select_for_update(of=("self",))
            .select_related("idea__workspace", "by__user")
            .filter(pk=change_id)
            .first()
        )
        if change is None or change.after not in ANNOUNCED:
            return None
        if change.announced_at is not None:
            return change
        idea = change.idea
        Announcement.objects.bulk_create(
            [
                Announcement(
                    workspace_id=idea.workspace_id,
                    change=change,
                    idea=idea,
                    contact_id=contact_id,
                    channel=channel,
                    post_id=post_id,
                )
                for contact_id, (channel, post_id) in sorted(audience(idea).items())
            ],
            batch_size=500,
        )
        _notify_members(change)
        change.announced_at = timezone.now()
        change.save(update_fields=["announced_at"])
        return change


def _notify_members(change: StatusChange) -> None:
    idea = change.idea
    members = Membership.objects.filter(
        pk__in=Follower.objects.filter(idea=idea, member__isnull=False).values("member_id")
    ).select_related("user", "workspace")
    status = Status(change.after).label.lower()
    notify_members(
        idea.workspace,
        members,
        Kind.IDEA,
        f"“{idea.title}” is now {status}." + (f" {change.note}" if change.note else ""),
        idea_path(idea),
        actor=change.by,
    )


# Telling each person ----------------------------------------------------------------------


def _refusal(contact: Contact, channel: str) -> str:
    """Why this person may not be told on `channel` ("" when they may)."""
    if contact.do_not_contact:
        return "Do not contact."
    said = (
        Consent.objects.filter(contact=contact, channel__in=[channel, "all"])
        .order_by("-recorded_at", "-id")
        .first()
    )
    if said is not None and not said.granted:
        where = "any channel" if said.channel == "all" else _channel_name(channel)
        return f"Withdrew consent to {where} on {said.recorded_at:%-d %b %Y}."
    return ""


def _channel_name(channel: str) -> str:
    return "email" if channel == EMAIL else network_label(channel)


def _author(change: StatusChange) -> Membership | None:
    """Who the replies are written as: the member who changed the status, else the owner."""
    if change.by is not None:
        return change.by
    return (
        Membership.objects.select_related("user", "workspace")
        .filter(workspace_id=change.workspace_id, role=Role.OWNER)
        .first()
    )


def _context(
    change: StatusChange, contact: Contact, agent: Membership | None, handle: str, note: str
) -> dict[str, object]:
    idea = change.idea
    name = contact.name.strip()
    first = contact.first_name.strip() or (name.split()[0] if name else handle)
    agent_name = (agent.user.full_name or agent.user.display_name).strip() if agent else ""
    link = portal_url(idea)
    return {
        "contact": {"first_name": first, "name": name or handle, "handle": handle},
        "agent": {"first_name": agent_name.split()[0] if agent_name else "", "name": agent_name},
        "workspace": {"name": idea.workspace.name},
        "status_link": link,
        "idea": {
            "title": idea.title,
            "status": Status(change.after).label.lower(),
            "note": note,
            "link": link,
        },
    }


def _tidy(text: str) -> str:
    """No double spaces where a variable was empty (a change without a note)."""
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _short(text: str, cut: int) -> str:
    """`text` less `cut` characters, at a word, with an ellipsis ("" when nothing is left)."""
    keep = len(text) - cut - 1
    if keep <= 0:
        return ""
    return text[:keep].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def compose(
    template: str,
    change: StatusChange,
    contact: Contact,
    agent: Membership | None,
    *,
    handle: str = "",
    network: str = "",
) -> str:
    """The announcement's text; for a network, shortened to fit its replies (the note first)."""
    note = change.note
    text = _tidy(canned.fill(template, _context(change, contact, agent, handle, note)))
    limit = reply_limit(network) if network else None
    if limit is None:
        return text
    limit -= len(handle) + 2  # the connector puts "@handle " in front when the text lacks it
    over = reply_length(text, network) - limit
    if over > 0 and note:
        note = _short(note, over)
        text = _tidy(canned.fill(template, _context(change, contact, agent, handle, note)))
        over = reply_length(text, network) - limit
    return text if over <= 0 else _short(text, over)


def _with_disclosure(text: str, agent: Membership, public: bool) -> str:
    """A public reply by someone who must say they work here says so (the policy's words)."""
    policy = policy_for(agent.workspace)
    said = " ".join(policy.disclosure.split())
    missing = said.lower().rstrip(".") not in " ".join(text.split()).lower()
    if public and said and missing and not is_designated(policy, agent):
        return f"{text} {said}"
    return text


def _reply(
    row: Announcement, change: StatusChange, response: CannedResponse, agent: Membership | None
) -> tuple[State, str, Reply | None]:
    """(state, reason, reply): a reply to the person's post through engagement's outbox."""
    post = row.post
    assert post is not None
    if agent is None:
        return State.FAILED, "Nobody in the workspace to reply as.", None
    public = not private_only(post.network)
    text = compose(
        response.text,
        change,
        row.contact,
        agent,
        handle=post.author_handle,
        network=post.network,
    )
    try:
        with transaction.atomic():
            reply = send_reply(
                agent,
                post,
                text=_with_disclosure(text, agent, public),
                visibility=Reply.Visibility.PUBLIC if public else Reply.Visibility.PRIVATE,
                canned_response=response,
                status_link=portal_url(change.idea),
            )
    except ReplyBlocked as blocked:
        reasons = " ".join(f.message for f in blocks(blocked.findings))
        return State.FAILED, f"The engagement policy blocks the reply: {reasons}"[:200], None
    except (ValidationError, PermissionDenied) as refused:
        message = " ".join(getattr(refused, "messages", [str(refused)]))
        return State.FAILED, f"The reply could not be sent: {message}"[:200], None
    if reply.status == Reply.Status.PENDING_APPROVAL:
        return State.SENT, "Waiting for an approval before it is posted.", reply
    return State.SENT, "", reply


def _email(
    row: Announcement, change: StatusChange, response: CannedResponse, agent: Membership | None
) -> tuple[State, str]:
    """(state, reason): an email to the person, in plain text (the idea's words are never
    markup)."""
    contact, idea = row.contact, change.idea
    status = Status(change.after).label.lower()
    subject = " ".join(f"[{idea.workspace.name}] “{idea.title}” is {status}".split())
    body = "\n".join(
        [
            compose(response.text, change, contact, agent),
            "",
            "--",
            f"You get this email because you voted for or follow this idea at "
            f"{idea.workspace.name}.",
        ]
    )
    message = EmailMessage(
        subject=subject[:200], body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[contact.email]
    )
    try:
        message.send()
    except (SMTPException, OSError) as error:
        logger.warning("announcement %s: the email failed: %s", row.pk, error)
        return State.FAILED, f"The email could not be sent: {error}"[:200]
    return State.SENT, ""


def _tell(
    announcement_id: int,
    change: StatusChange,
    templates: dict[str, CannedResponse],
    agent: Membership | None,
) -> str:
    """Tells one listed person, once: their row is locked and marked in the same transaction."""
    with transaction.atomic():
        row = (
            Announcement.objects.select_for_update(of=("self",))
            .select_related("contact", "post__source")
            .filter(pk=announcement_id, state=State.PENDING)
            .first()
        )
        if row is None:
            return "done already"
        row.contact = person(row.contact)  # merged since they were listed
        reply: Reply | None = None
        state: State
        reason = _refusal(row.contact, row.channel)
        if reason:
            state = State.SKIPPED
        elif (
            Announcement.objects.filter(change=change, contact=row.contact, state=State.SENT)
            .exclude(pk=row.pk)
            .exists()
        ):
            state, reason = State.SKIPPED, "Told already, as the contact they were merged into."
        elif row.post is not None:
            state, reason, reply = _reply(row, change, templates[change.after], agent)
        elif not row.contact.email:
            state = State.SKIPPED
            reason = "No email address, and no post of theirs to answer."
        else:
            row.channel = EMAIL
            state, reason = _email(row, change, templates[change.after], agent)
        row.state, row.reason, row.reply = state, reason, reply
        row.save(update_fields=["contact", "channel", "state", "reason", "reply"])
        if state == State.SENT:
            emit(
                IDEA_ANNOUNCED,
                row.workspace_id,
                actor=agent if reply is not None else None,
                object_id=row.idea_id,
                announcement=row.pk,
                change=change.pk,
                contact=row.contact_id,
                channel=row.channel,
            )
        return str(state)


def announce(change_id: int) -> dict[str, int]:
    """Tells the people of one status change (planned, shipped, declined) what became of their
    idea; run again, it sends only what is still pending. Returns how many of each outcome."""
    change = _list(change_id)
    if change is None:
        return {}
    pending = list(
        Announcement.objects.filter(change=change, state=State.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    if not pending:
        return {}
    name, text = TEMPLATES[change.after]
    templates = {change.after: canned_or_default(change.idea.workspace, name, text)}
    agent = _author(change)
    counts = Counter(_tell(pk, change, templates, agent) for pk in pending)
    with transaction.atomic():
        record(
            actor=None,
            workspace=change.idea.workspace,
            verb="idea.announce",
            obj=change.idea,
            after={"change": change.pk, "status": change.after, **counts},
        )
    return dict(counts)
