"""Every write of the inbox by a person, audited, in one transaction each.

Conversations: assign, status, priority, tags, merge, split, notes with @mentions, hand-offs to
an expert, and bulk changes. Capturing a post is in `capture.py`, routing rules in
`rule_actions.py`. Each action also writes a line of the conversation's history (Activity) and
emits the inbox's events (`events.py`) for what others may hear of.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max, Min
from django.utils import timezone

from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by, snapshot
from rapport.core.events import emit
from rapport.core.mentions import mentioned
from rapport.core.models import Membership, Team
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, require
from rapport.core.priority import Priority, clean_priority, priority_name
from rapport.core.roles import Role
from rapport.inbox.cleaning import TAG
from rapport.inbox.events import (
    CONVERSATION_ASSIGNED,
    CONVERSATION_CLOSED,
    CONVERSATION_HANDED_OFF,
    CONVERSATION_MERGED,
    CONVERSATION_NOTED,
    CONVERSATION_REOPENED,
    CONVERSATION_RESOLVED,
    CONVERSATION_SPLIT,
)
from rapport.inbox.grouping import priority_of, subject_of
from rapport.inbox.links import conversation_path
from rapport.inbox.models import (
    Activity,
    Conversation,
    ConversationPost,
    ConversationQuery,
    ConversationTag,
    Note,
    SavedView,
    Status,
    Tag,
)
from rapport.inbox.routing import open_assignments
from rapport.inbox.selectors import clean_filters
from rapport.listening.models import Post
from rapport.notifications.actions import notify, notify_team
from rapport.people.selectors import experts

FIELDS = ["status", "priority", "team", "assignee"]
NOTE_MAX = 10_000
MAX_TAGS = 20
MAX_BULK = 500


def _history(
    conv: Conversation, actor: Membership | None, kind: str, message: str, **data: Any
) -> Activity:
    return Activity.objects.create(
        workspace_id=conv.workspace_id,
        conversation=conv,
        kind=kind,
        actor=actor,
        message=message[:500],
        data=data,
    )


def _name(member: Membership | None) -> str:
    return member.user.display_name if member else "nobody"


def _require_worker(actor: Membership, conv: Conversation) -> None:
    """Agents work the whole inbox; an employee works what was handed or captured to them."""
    own = actor.pk in (conv.assignee_id, conv.captured_by_id)
    require(actor, Verb.WORK_OWN_CONVERSATIONS if own else Verb.WORK_CONVERSATIONS)


def _alive(conv: Conversation) -> None:
    if conv.merged_into_id:
        raise ValidationError(
            f"Conversation #{conv.pk} was merged into #{conv.merged_into_id}; work on that one."
        )


# Assignment, status, priority --------------------------------------------------------------


def _assign(
    actor: Membership,
    conv: Conversation,
    assignee: Membership | None,
    team: Team | None,
    *,
    set_team: bool,
) -> str:
    require_same_workspace(actor, assignee, team)
    changes = []
    if set_team and team != conv.team:
        conv.team = team
        changes.append(f"team {team.name if team else 'none'}")
    if assignee != conv.assignee:
        conv.assignee = assignee
        changes.append(f"assignee {_name(assignee)}")
        if assignee is not None and conv.status == Status.NEW:
            conv.status = Status.OPEN
        if assignee is not None:
            notify(
                assignee,
                "assigned",
                f"{actor.user.display_name} assigned you “{conv.subject}”",
                conversation_path(actor.workspace, conv.pk),
                actor,
            )
    return ", ".join(changes)


def _assigned(actor: Membership, conv: Conversation) -> None:
    emit(
        CONVERSATION_ASSIGNED,
        conv.workspace_id,
        actor=actor,
        object_id=conv.pk,
        assignee=conv.assignee_id,
        team=conv.team_id,
        rule=None,
    )


@action("conversation.assign")
def assign(
    actor: Membership,
    conv: Conversation,
    *,
    assignee: Membership | None,
    team: Team | None = None,
    set_team: bool = False,
) -> Conversation:
    """Gives the conversation to a person (None: unassigned) and, with `set_team`, a team."""
    require(actor, Verb.WORK_CONVERSATIONS)
    _alive(conv)
    before = snapshot(conv, FIELDS)
    changed = _assign(actor, conv, assignee, team, set_team=set_team)
    if not changed:
        return conv
    conv.save(update_fields=["team", "assignee", "status"])
    _history(conv, actor, Activity.Kind.ASSIGNED, f"{actor.user.display_name} set {changed}")
    _assigned(actor, conv)
    record_by(
        actor,
        verb="conversation.assign",
        obj=conv,
        before=before,
        after=snapshot(conv, FIELDS),
    )
    return conv


def _set_status(conv: Conversation, status: str) -> None:
    if status not in Status.values:
        raise ValidationError(
            {"status": f"Unknown status {status!r}; use one of {', '.join(Status.values)}."}
        )
    conv.status = status
    if status in (Status.RESOLVED, Status.CLOSED):
        conv.resolved_at = conv.resolved_at or timezone.now()
    else:
        conv.resolved_at = None


def _status_changed(actor: Membership, conv: Conversation, was: str) -> None:
    """The status changes others hear of: resolved, closed, and open again after either."""
    if conv.status == was:
        return
    if conv.status == Status.RESOLVED:
        emit(CONVERSATION_RESOLVED, conv.workspace_id, actor=actor, object_id=conv.pk)
    elif conv.status == Status.CLOSED:
        emit(CONVERSATION_CLOSED, conv.workspace_id, actor=actor, object_id=conv.pk)
    elif was in (Status.RESOLVED, Status.CLOSED):
        emit(CONVERSATION_REOPENED, conv.workspace_id, actor=actor, ids=[conv.pk])


@action("conversation.set_status")
def set_status(actor: Membership, conv: Conversation, *, status: str) -> Conversation:
    _require_worker(actor, conv)
    _alive(conv)
    before = snapshot(conv, FIELDS)
    was = conv.get_status_display()
    _set_status(conv, status)
    if before["status"] == conv.status:
        return conv
    conv.save(update_fields=["status", "resolved_at"])
    _history(
        conv,
        actor,
        Activity.Kind.STATUS,
        f"{actor.user.display_name} changed the status from {was.lower()} to "
        f"{conv.get_status_display().lower()}",
    )
    record_by(
        actor, verb="conversation.set_status", obj=conv, before=before, after=snapshot(conv, FIELDS)
    )
    _status_changed(actor, conv, before["status"])
    return conv


@action("conversation.set_priority")
def set_priority(actor: Membership, conv: Conversation, *, priority: object) -> Conversation:
    require(actor, Verb.WORK_CONVERSATIONS)
    _alive(conv)
    before = snapshot(conv, FIELDS)
    conv.priority = clean_priority(priority)
    if before["priority"] == conv.priority:
        return conv
    conv.save(update_fields=["priority"])
    _history(
        conv,
        actor,
        Activity.Kind.PRIORITY,
        f"{actor.user.display_name} set the priority to {priority_name(conv.priority)}",
    )
    record_by(
        actor,
        verb="conversation.set_priority",
        obj=conv,
        before=before,
        after=snapshot(conv, FIELDS),
    )
    return conv


# Tags --------------------------------------------------------------------------------------


def clean_tags(tags: Iterable[str]) -> list[str]:
    cleaned = []
    for tag in tags:
        text = " ".join(str(tag).split()).lower()
        if not text:
            continue
        if not TAG.match(text):
            raise ValidationError(
                {"tags": f"{tag!r} is not a tag: use 1-50 letters, digits, spaces or .&:/+-"}
            )
        if text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags at once."})
    return cleaned


def _tag_objects(actor: Membership, names: Sequence[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(workspace=actor.workspace, name__in=names)}
    for name in names:
        if name not in existing:
            existing[name] = Tag.objects.create(workspace=actor.workspace, name=name)
    return [existing[n] for n in names]


def tag_names(conv: Conversation) -> list[str]:
    return sorted(Tag.objects.filter(conversations=conv).values_list("name", flat=True))


@action("conversation.tag")
def tag(actor: Membership, conv: Conversation, *, tags: Iterable[str]) -> list[str]:
    """Adds tags (created on first use); returns the conversation's tags."""
    require(actor, Verb.WORK_CONVERSATIONS)
    names = clean_tags(tags)
    if not names:
        raise ValidationError({"tags": "Say which tag to add."})
    before = tag_names(conv)
    for t in _tag_objects(actor, names):
        ConversationTag.objects.get_or_create(conversation=conv, tag=t)
    after = tag_names(conv)
    added = [n for n in after if n not in before]
    if added:
        _history(
            conv,
            actor,
            Activity.Kind.TAGGED,
            f"{actor.user.display_name} tagged {', '.join(added)}",
        )
    record_by(
        actor, verb="conversation.tag", obj=conv, before={"tags": before}, after={"tags": after}
    )
    return after


@action("conversation.untag")
def untag(actor: Membership, conv: Conversation, *, tags: Iterable[str]) -> list[str]:
    require(actor, Verb.WORK_CONVERSATIONS)
    names = clean_tags(tags)
    before = tag_names(conv)
    ConversationTag.objects.filter(
        conversation=conv, tag__workspace=actor.workspace, tag__name__in=names
    ).delete()
    after = tag_names(conv)
    removed = [n for n in before if n not in after]
    if removed:
        _history(
            conv,
            actor,
            Activity.Kind.UNTAGGED,
            f"{actor.user.display_name} removed the tag {', '.join(removed)}",
        )
    record_by(
        actor, verb="conversation.untag", obj=conv, before={"tags": before}, after={"tags": after}
    )
    return after


# Merge and split ---------------------------------------------------------------------------


def _refresh_summary(conv: Conversation) -> None:
    """Post count, first post and latest activity from the posts it holds now."""
    stats = ConversationPost.objects.filter(conversation=conv).aggregate(
        first=Min("post__posted_at"), last=Max("post__posted_at")
    )
    conv.post_count = ConversationPost.objects.filter(conversation=conv).count()
    first = (
        Post.objects.filter(conversation_link__conversation=conv)
        .order_by("posted_at", "id")
        .first()
    )
    conv.first_post = first
    if stats["last"] is not None:
        conv.last_activity_at = max(conv.last_activity_at, stats["last"])


@action("conversation.merge")
def merge(actor: Membership, source: Conversation, *, into: Conversation) -> Conversation:
    """Moves `source`'s posts, notes and tags into `into`; `source` closes and points there."""
    require(actor, Verb.WORK_CONVERSATIONS)
    require_same_workspace(actor, source, into)
    if source.pk == into.pk:
        raise ValidationError("A conversation cannot be merged into itself.")
    _alive(source)
    _alive(into)
    moved = ConversationPost.objects.filter(conversation=source).update(conversation=into)
    Note.objects.filter(conversation=source).update(conversation=into)
    for query_id in ConversationQuery.objects.filter(conversation=source).values_list(
        "query_id", flat=True
    ):
        ConversationQuery.objects.get_or_create(conversation=into, query_id=query_id)
    for tag_id in ConversationTag.objects.filter(conversation=source).values_list(
        "tag_id", flat=True
    ):
        ConversationTag.objects.get_or_create(conversation=into, tag_id=tag_id)
    _refresh_summary(into)
    if into.priority < source.priority:
        into.priority = source.priority
    into.save()
    source.merged_into = into
    source.status = Status.CLOSED
    source.resolved_at = source.resolved_at or timezone.now()
    source.post_count = 0
    source.save(update_fields=["merged_into", "status", "resolved_at", "post_count"])
    who = actor.user.display_name
    _history(
        into,
        actor,
        Activity.Kind.MERGED,
        f"{who} merged #{source.pk} “{source.subject}” into this conversation ({moved} posts)",
        source=source.pk,
    )
    _history(
        source, actor, Activity.Kind.MERGED, f"{who} merged this into #{into.pk}", into=into.pk
    )
    record_by(
        actor,
        verb="conversation.merge",
        obj=into,
        before={"source": source.pk},
        after={"into": into.pk, "posts_moved": moved},
    )
    emit(
        CONVERSATION_MERGED,
        source.workspace_id,
        actor=actor,
        object_id=source.pk,
        into=into.pk,
        posts=moved,
    )
    return into


@action("conversation.split")
def split(actor: Membership, conv: Conversation, *, post: Post) -> Conversation:
    """Moves one post out into a new conversation of its own; returns the new one."""
    require(actor, Verb.WORK_CONVERSATIONS)
    _alive(conv)
    link = ConversationPost.objects.filter(conversation=conv, post=post).first()
    if link is None:
        raise ValidationError("That post is not in this conversation.")
    if conv.post_count <= 1 and ConversationPost.objects.filter(conversation=conv).count() <= 1:
        raise ValidationError("A conversation with one post cannot be split.")
    new = Conversation.objects.create(
        workspace_id=conv.workspace_id,
        subject=subject_of(post),
        priority=max(priority_of(post), Priority.NORMAL if conv.priority else Priority.LOW),
        team=conv.team,
        identity_id=post.identity_id,
        network=post.network,
        label=conv.label,
        sentiment=post.sentiment,
        intent=post.intent,
        first_post=post,
        post_count=1,
        last_activity_at=post.posted_at,
    )
    link.conversation = new
    link.save(update_fields=["conversation"])
    for query_id in post.matches.values_list("query_id", flat=True):
        ConversationQuery.objects.get_or_create(conversation=new, query_id=query_id)
    _refresh_summary(conv)
    conv.save(update_fields=["post_count", "first_post", "last_activity_at"])
    who = actor.user.display_name
    _history(conv, actor, Activity.Kind.SPLIT, f"{who} split a post out into #{new.pk}", new=new.pk)
    _history(new, actor, Activity.Kind.SPLIT, f"{who} split this out of #{conv.pk}", old=conv.pk)
    record_by(
        actor,
        verb="conversation.split",
        obj=new,
        before={"conversation": conv.pk, "post": post.pk},
        after={"conversation": new.pk},
    )
    emit(
        CONVERSATION_SPLIT,
        new.workspace_id,
        actor=actor,
        object_id=new.pk,
        source=conv.pk,
        post=post.pk,
    )
    return new


# Notes and hand-offs -----------------------------------------------------------------------


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "A note needs some text."})
    if len(body) > NOTE_MAX:
        raise ValidationError({"body": f"A note has at most {NOTE_MAX:,} characters."})
    return body


def _note(actor: Membership, conv: Conversation, body: str) -> Note:
    body = clean_body(body)
    people, _ = mentioned(actor.workspace, body)
    note = Note.objects.create(
        workspace_id=conv.workspace_id, conversation=conv, author=actor, body=body
    )
    note.mentions.set(people)
    _history(
        conv, actor, Activity.Kind.NOTED, f"{actor.user.display_name} added a note", note=note.pk
    )
    if people:
        _history(
            conv,
            actor,
            Activity.Kind.MENTIONED,
            f"{actor.user.display_name} mentioned "
            + ", ".join(p.user.display_name for p in people),
            members=[p.pk for p in people],
        )
        text = f"{actor.user.display_name} mentioned you on “{conv.subject}”"
        path = conversation_path(actor.workspace, conv.pk)
        for person in people:
            notify(person, "mention", text, path, actor)
    return note


@action("conversation.note")
def add_note(actor: Membership, conv: Conversation, *, body: str) -> Note:
    """An internal note; @name mentions notify those people. Any employee may add one."""
    require(actor, Verb.ADD_NOTES)
    _alive(conv)
    note = _note(actor, conv, body)
    mentions = [m.pk for m in note.mentions.all()]
    record_by(
        actor, verb="conversation.note", obj=conv, after={"note": note.pk, "mentions": mentions}
    )
    emit(
        CONVERSATION_NOTED,
        conv.workspace_id,
        actor=actor,
        object_id=conv.pk,
        note=note.pk,
        mentions=mentions,
        team=conv.team_id,
    )
    return note


def expert_for(
    actor: Membership, *, team: Team | None, skill: str, exclude: Membership | None = None
) -> Membership | None:
    """Who should get a hand-off: someone with `skill` (in `team` if given), or anyone in `team`
    (in the workspace without one); the least busy first, then the most expert."""
    skill = (skill or "").strip().lower()
    if skill:
        left_out = [exclude] if exclude else []
        found = experts(actor.workspace, skill, team, load=open_assignments, exclude=left_out)
        return found[0] if found else None
    if team is not None:
        pool = list(team.members.select_related("user").order_by("pk"))
    else:
        pool = list(
            Membership.objects.filter(workspace=actor.workspace)
            .exclude(role=Role.VIEWER)
            .select_related("user")
            .order_by("pk")
        )
    pool = [m for m in pool if exclude is None or m.pk != exclude.pk]
    if not pool:
        return None
    load = open_assignments(pool)
    return min(pool, key=lambda m: (load[m.pk], m.pk))


@action("conversation.hand_off")
def hand_off(
    actor: Membership,
    conv: Conversation,
    *,
    note: str,
    to: Membership | None = None,
    team: Team | None = None,
    skill: str = "",
) -> Membership | None:
    """Asks an expert: gives the conversation to a person, or to a team (someone in it with
    `skill`, least busy first), with a note saying what is needed. Any employee may ask."""
    require(actor, Verb.HAND_OFF)
    _alive(conv)
    require_same_workspace(actor, to, team)
    if to is None and team is None and not skill.strip():
        raise ValidationError("Say who should take it: a person, a team or a skill.")
    if not (note or "").strip():
        raise ValidationError({"note": "Say what you need from them, in a note."})
    if len(skill) > 100:
        raise ValidationError({"skill": "A skill has at most 100 characters."})
    who = to or expert_for(actor, team=team, skill=skill, exclude=actor)
    if who is None and team is None:
        raise ValidationError({"skill": f"Nobody in this workspace has the skill {skill!r}."})
    before = snapshot(conv, FIELDS)
    was = conv.status
    if team is not None:
        conv.team = team
    conv.assignee = who
    if conv.status in (Status.NEW, Status.RESOLVED, Status.CLOSED, Status.WAITING):
        conv.status = Status.OPEN
        conv.resolved_at = None
    conv.save(update_fields=["team", "assignee", "status", "resolved_at"])
    target = ", ".join(
        x for x in (who.user.display_name if who else "", team.name if team else "") if x
    )
    if skill:
        target += f" (for {skill.strip()})"
    written = _note(actor, conv, note)
    _history(
        conv,
        actor,
        Activity.Kind.HANDED_OFF,
        f"{actor.user.display_name} handed this to {target}",
        to=who.pk if who else None,
        team=team.pk if team else None,
        skill=skill.strip(),
        note=written.pk,
    )
    text = f"{actor.user.display_name} asks for your help on “{conv.subject}”"
    path = conversation_path(actor.workspace, conv.pk)
    if who is not None:
        notify(who, "handoff", text, path, actor)
    elif team is not None:
        notify_team(team, "handoff", text, path, actor)
    record_by(
        actor,
        verb="conversation.hand_off",
        obj=conv,
        before=before,
        after={**snapshot(conv, FIELDS), "skill": skill.strip(), "note": written.pk},
    )
    emit(
        CONVERSATION_HANDED_OFF,
        conv.workspace_id,
        actor=actor,
        object_id=conv.pk,
        to=who.pk if who else None,
        team=team.pk if team else None,
        skill=skill.strip(),
        note=written.pk,
    )
    _status_changed(actor, conv, was)
    return who


# Bulk --------------------------------------------------------------------------------------


@action("conversation.bulk")
def bulk_update(
    actor: Membership,
    conversations: Sequence[Conversation],
    *,
    assignee: Membership | bool | None = False,
    tags: Iterable[str] = (),
    status: str = "",
) -> int:
    """Assigns (None unassigns; False leaves as is), tags and/or sets the status of many."""
    require(actor, Verb.BULK_CONVERSATIONS)
    if not conversations:
        raise ValidationError("Select at least one conversation.")
    if len(conversations) > MAX_BULK:
        raise ValidationError(f"At most {MAX_BULK} conversations at once.")
    names = clean_tags(tags)
    if assignee is False and not names and not status:
        raise ValidationError("Choose what to change: an assignee, a tag or a status.")
    if assignee is not False:
        require_same_workspace(actor, assignee)
    tag_objs = _tag_objects(actor, names) if names else []
    changed = 0
    for conv in conversations:
        require_same_workspace(actor, conv)
        if conv.merged_into_id:
            continue
        before = snapshot(conv, FIELDS)
        parts = []
        assigned = False
        if assignee is not False:
            done = _assign(actor, conv, assignee or None, None, set_team=False)  # type: ignore[arg-type]
            if done:
                parts.append(done)
                assigned = True
        if status:
            was = conv.status
            _set_status(conv, status)
            if was != conv.status:
                parts.append(f"status {conv.get_status_display().lower()}")
        for t in tag_objs:
            _, made = ConversationTag.objects.get_or_create(conversation=conv, tag=t)
            if made:
                parts.append(f"tag {t.name}")
        if not parts:
            continue
        conv.save(update_fields=["assignee", "status", "resolved_at"])
        kind = (
            Activity.Kind.ASSIGNED
            if parts[0].startswith("assignee")
            else Activity.Kind.STATUS
            if parts[0].startswith("status")
            else Activity.Kind.TAGGED
        )
        _history(conv, actor, kind, f"{actor.user.display_name} set {', '.join(parts)}")
        record_by(
            actor,
            verb="conversation.bulk",
            obj=conv,
            before=before,
            after={**snapshot(conv, FIELDS), "tags_added": names},
        )
        if assigned:
            _assigned(actor, conv)
        _status_changed(actor, conv, before["status"])
        changed += 1
    return changed


# Saved views -------------------------------------------------------------------------------


@action("saved_view.create")
def save_view(actor: Membership, *, name: str, filters: dict[str, str]) -> SavedView:
    """Keeps the actor's current inbox filters under a name (their own, not shared)."""
    require(actor, Verb.SAVE_VIEWS)
    name = unique_name(
        name, taken=SavedView.objects.filter(owner=actor), noun="view", limit=60, yours=True
    )
    cleaned = clean_filters(filters).as_dict()  # raises on a bad filter
    if not cleaned:
        raise ValidationError("Choose some filters first; this view would show everything.")
    view = SavedView.objects.create(
        workspace=actor.workspace, owner=actor, name=name, filters=cleaned
    )
    record_by(actor, verb="saved_view.create", obj=view, after={"name": name, "filters": cleaned})
    return view


@action("saved_view.delete")
def delete_view(actor: Membership, view: SavedView) -> None:
    if view.owner_id != actor.pk:
        raise ValidationError("Only its owner can delete a saved view.")
    record_by(
        actor,
        verb="saved_view.delete",
        obj=view,
        before={"name": view.name, "filters": view.filters},
    )
    view.delete()
