"""Every write of the ideas domain, audited, in one transaction each.

Ideas (submitted on the portal, by an employee, or turned from a post, conversation or case),
their status with its public note, product areas, followers, comments and links to R&D's cases
and tasks. Votes are in `votes.py`, merging duplicate ideas in `merge.py`.

`actor` is the member who acts, or None for a customer on the portal (whose contact is then the
author, voter or commenter, and whose workspace is the idea's).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rapport.cases.models import Case, Task
from rapport.contacts.models import Contact
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record, snapshot
from rapport.core.events import emit
from rapport.core.models import Membership, Workspace
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require
from rapport.ideas import votes
from rapport.ideas.events import (
    IDEA_COMMENTED,
    IDEA_CREATED,
    IDEA_STATUS_CHANGED,
    IDEA_UPDATED,
)
from rapport.ideas.models import Area, Comment, Follower, Idea, Origin, Status, StatusChange
from rapport.ideas.voters import contact_of_post, person
from rapport.ideas.votes import follow, target
from rapport.inbox.models import Conversation
from rapport.listening.models import Post

FIELDS = ["title", "body", "area", "status", "status_note", "merged_into"]
TITLE_MAX = 200
BODY_MAX = 10_000
NOTE_MAX = 2_000
COMMENT_MAX = 5_000


def text(value: object, field: str, limit: int, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError({field: f"The {field} must be text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"The {field} is required."})
    if len(value) > limit:
        raise ValidationError({field: f"The {field} is {len(value)} characters; at most {limit}."})
    return value


def audit(actor: Membership | None, workspace: Workspace, verb: str, obj: Any, **kw: Any) -> Any:
    return record(
        actor=actor.user if actor else None,
        workspace=workspace,
        verb=verb,
        obj=obj,
        **kw,
    )


def _clean_area(workspace_id: int, area: Area | None) -> Area | None:
    if area is not None and area.workspace_id != workspace_id:
        raise ValidationError({"area": "That product area belongs to another workspace."})
    return area


# Product areas ------------------------------------------------------------------------------


@action("idea_area.create")
def create_area(actor: Membership, *, name: str) -> Area:
    require(actor, Verb.IDEA_PORTAL)
    name = unique_name(name, taken=Area.objects.filter(workspace=actor.workspace), noun="area")
    area = Area.objects.create(workspace=actor.workspace, name=name)
    audit(actor, actor.workspace, "idea_area.create", area, after={"name": name})
    return area


# Ideas --------------------------------------------------------------------------------------


def _create(
    workspace: Workspace,
    actor: Membership | None,
    *,
    title: object,
    body: object,
    area: Area | None,
    origin: str,
    author: Contact | None,
    post: Post | None = None,
    conversation: Conversation | None = None,
    case: Case | None = None,
    vote_source: str = "",
    verb: str = "idea.create",
) -> Idea:
    idea = Idea.objects.create(
        workspace=workspace,
        title=text(title, "title", TITLE_MAX, required=True),
        body=text(body, "body", BODY_MAX, required=False),
        area=_clean_area(workspace.pk, area),
        origin=origin,
        author_contact=author,
        author_member=actor if author is None else None,
        post=post,
        conversation=conversation,
        case=case,
    )
    audit(actor, workspace, verb, idea, after=snapshot(idea, [*FIELDS, "origin"]))
    emit(
        IDEA_CREATED,
        workspace.pk,
        actor=actor,
        object_id=idea.pk,
        origin=origin,
        post=post.pk if post else None,
        contact=author.pk if author else None,
    )
    if author is not None:
        votes.add_vote_in_transaction(
            idea,
            author,
            actor=actor,
            source=vote_source or votes.Source.EMPLOYEE,
            post=post,
            audited=False,  # the idea's own audit event says who voted first
        )
        follow(idea, contact=author)
    elif actor is not None:
        follow(idea, member=actor)
    return idea


@action("idea.create")
def create_idea(
    actor: Membership,
    *,
    title: object,
    body: object = "",
    area: Area | None = None,
    for_contact: Contact | None = None,
) -> Idea:
    """An employee's idea, or a customer's told to an employee (`for_contact` votes first)."""
    require(actor, Verb.SUBMIT_IDEAS)
    require_same_workspace(actor, area, for_contact)
    return _create(
        actor.workspace,
        actor,
        title=title,
        body=body,
        area=area,
        origin=Origin.EMPLOYEE,
        author=person(for_contact) if for_contact else None,
    )


@action("idea.submit")
def submit_on_portal(
    contact: Contact, *, title: object, body: object = "", area: Area | None = None
) -> Idea:
    """A customer's idea from the portal: they vote for it and follow it."""
    contact = person(contact)
    return _create(
        contact.workspace,
        None,
        title=title,
        body=body,
        area=area,
        origin=Origin.PORTAL,
        author=contact,
        vote_source=votes.Source.PORTAL,
        verb="idea.submit",
    )


def _title_of(words: str) -> str:
    words = " ".join(words.split())
    return words if len(words) <= 120 else words[:119].rsplit(" ", 1)[0] + "…"


@action("idea.from_post")
def promote_post(
    actor: Membership,
    post: Post,
    *,
    title: object = "",
    body: object = "",
    area: Area | None = None,
) -> Idea:
    """ "Turn into an idea": the post's author is the first voter and follower."""
    require(actor, Verb.SUBMIT_IDEAS)
    require_same_workspace(actor, post, area)
    return _create(
        actor.workspace,
        actor,
        title=title or _title_of(post.title or post.text) or f"Idea from post #{post.pk}",
        body=body or post.text[:BODY_MAX],
        area=area,
        origin=Origin.POST,
        author=contact_of_post(post),
        post=post,
        vote_source=votes.Source.POST,
        verb="idea.from_post",
    )


def idea_from_post_by_rule(post: Post, *, conversation: Conversation | None = None) -> Idea:
    """ "Turn into an idea" done by a routing rule (no member): its author votes first."""
    with transaction.atomic():
        return _create(
            post.workspace,
            None,
            title=_title_of(post.title or post.text) or f"Idea from post #{post.pk}",
            body=post.text[:BODY_MAX],
            area=None,
            origin=Origin.POST,
            author=contact_of_post(post),
            post=post,
            conversation=conversation,
            vote_source=votes.Source.POST,
            verb="idea.from_post",
        )


@action("idea.from_conversation")
def promote_conversation(
    actor: Membership,
    conversation: Conversation,
    *,
    title: object = "",
    body: object = "",
    area: Area | None = None,
) -> Idea:
    """ "Turn into an idea" on a conversation: from its first post, whose author votes first."""
    require(actor, Verb.SUBMIT_IDEAS)
    require_same_workspace(actor, conversation, area)
    first = conversation.first_post
    if first is None:
        raise ValidationError("That conversation has no post to turn into an idea.")
    return _create(
        actor.workspace,
        actor,
        title=title or conversation.subject or _title_of(first.text),
        body=body or first.text[:BODY_MAX],
        area=area,
        origin=Origin.CONVERSATION,
        author=contact_of_post(first),
        post=first,
        conversation=conversation,
        vote_source=votes.Source.POST,
        verb="idea.from_conversation",
    )


@action("idea.from_case")
def promote_case(
    actor: Membership,
    case: Case,
    *,
    title: object = "",
    body: object = "",
    area: Area | None = None,
) -> Idea:
    """An idea from a case (its customer, when it has one, votes first); the case is linked."""
    require(actor, Verb.SUBMIT_IDEAS)
    require_same_workspace(actor, case, area)
    idea = _create(
        actor.workspace,
        actor,
        title=title or case.subject,
        body=body or case.description[:BODY_MAX],
        area=area,
        origin=Origin.CASE,
        author=person(case.customer) if case.customer else None,
        case=case,
        verb="idea.from_case",
    )
    idea.linked_cases.add(case)
    return idea


_UNSET: Any = object()


@action("idea.update")
def update_idea(
    actor: Membership,
    idea: Idea,
    *,
    title: object = _UNSET,
    body: object = _UNSET,
    area: Area | None = _UNSET,
) -> Idea:
    require(actor, Verb.MANAGE_IDEAS)
    require_same_workspace(actor, idea)
    before = snapshot(idea, FIELDS)
    if title is not _UNSET:
        idea.title = text(title, "title", TITLE_MAX, required=True)
    if body is not _UNSET:
        idea.body = text(body, "body", BODY_MAX, required=False)
    if area is not _UNSET:
        require_same_workspace(actor, area)
        idea.area = area
    after = snapshot(idea, FIELDS)
    changed = [name for name in FIELDS if before[name] != after[name]]
    if changed:
        idea.save()
        audit(actor, idea.workspace, "idea.update", idea, before=before, after=after)
        emit(IDEA_UPDATED, idea.workspace_id, actor=actor, object_id=idea.pk, fields=changed)
    return idea


@action("idea.status")
def change_status(actor: Membership, idea: Idea, status: object, note: object = "") -> Idea:
    """Moves the idea to `status` with a public note; planned, shipped and declined are announced
    to every voter and follower (after the commit, `ideas/announce.py`)."""
    require(actor, Verb.MANAGE_IDEAS)
    require_same_workspace(actor, idea)
    if status not in Status.values:
        raise ValidationError(
            {"status": f"Unknown status {status!r}; one of {', '.join(Status.values)}."}
        )
    if idea.merged_into_id:
        raise ValidationError(
            {"status": f"This idea was merged into idea #{idea.merged_into_id}; change that one."}
        )
    note = text(note, "status_note", NOTE_MAX, required=False)
    if status == idea.status and note == idea.status_note:
        return idea
    before = snapshot(idea, FIELDS)
    now = timezone.now()
    change = StatusChange.objects.create(
        workspace_id=idea.workspace_id,
        idea=idea,
        before=idea.status,
        after=status,
        note=note,
        by=actor,
        at=now,
    )
    idea.status, idea.status_note, idea.status_changed_at = str(status), note, now
    idea.save(update_fields=["status", "status_note", "status_changed_at", "updated_at"])
    audit(actor, idea.workspace, "idea.status", idea, before=before, after=snapshot(idea, FIELDS))
    emit(
        IDEA_STATUS_CHANGED,
        idea.workspace_id,
        actor=actor,
        object_id=idea.pk,
        before=change.before,
        after=change.after,
        change=change.pk,
    )
    return idea


# Followers and comments ---------------------------------------------------------------------


@action("idea.follow")
def follow_idea(
    actor: Membership | None, idea: Idea, *, contact: Contact | None = None, on: bool = True
) -> Idea:
    """A member follows (or stops following) an idea; a portal visitor as `contact`."""
    idea = target(idea)
    who: dict[str, Any] = {"contact": person(contact)} if contact else {"member": actor}
    if who.get("member") is None and contact is None:
        raise ValidationError("Nobody to follow the idea.")
    if on:
        follow(idea, **who)
    else:
        Follower.objects.filter(idea=idea, **who).delete()
    audit(actor, idea.workspace, "idea.follow", idea, after={"following": on})
    return idea


@action("idea.comment")
def comment(
    actor: Membership | None,
    idea: Idea,
    body: object,
    *,
    contact: Contact | None = None,
    public: bool = True,
) -> Comment:
    """A member's comment (public on the portal, or internal), or a portal visitor's (`contact`,
    always public)."""
    if actor is not None:
        require(actor, Verb.COMMENT_IDEAS)
        require_same_workspace(actor, idea)
    elif contact is None:
        raise ValidationError("A comment needs an author.")
    idea = target(idea)
    note = Comment.objects.create(
        workspace_id=idea.workspace_id,
        idea=idea,
        body=text(body, "body", COMMENT_MAX, required=True),
        author_contact=person(contact) if contact else None,
        author_member=actor if contact is None else None,
        public=public or contact is not None,
    )
    audit(actor, idea.workspace, "idea.comment", idea, after={"comment": note.pk})
    emit(
        IDEA_COMMENTED,
        idea.workspace_id,
        actor=actor,
        object_id=idea.pk,
        comment=note.pk,
        public=note.public,
    )
    return note


# Links to R&D's work --------------------------------------------------------------------------


@action("idea.link")
def link(
    actor: Membership,
    idea: Idea,
    *,
    case: Case | None = None,
    task: Task | None = None,
    on: bool = True,
) -> Idea:
    """Links (or unlinks) a case or a task to the idea, for R&D to work it."""
    require(actor, Verb.MANAGE_IDEAS)
    require_same_workspace(actor, idea, case, task)
    if case is not None:
        (idea.linked_cases.add if on else idea.linked_cases.remove)(case)
    if task is not None:
        (idea.linked_tasks.add if on else idea.linked_tasks.remove)(task)
    audit(
        actor,
        idea.workspace,
        "idea.link",
        idea,
        after={"case": case.pk if case else None, "task": task.pk if task else None, "on": on},
    )
    return idea
