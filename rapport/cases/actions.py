"""Every write of the cases domain by a person, audited, in one transaction each.

Case types, cases (with their status state machine in `TRANSITIONS`, and parent cases), tasks and
comments. Each writes a line of the case's activity stream and tells its watchers what they would
want to know. Merges live in `merge.py`, public status links in `public.py`.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.cases import custom_fields
from rapport.cases.activity import case_url, log, tell_watchers
from rapport.cases.events import (
    CASE_CLOSED,
    CASE_COMMENTED,
    CASE_COMMENTING,
    CASE_OPENED,
    CASE_OPENING,
    CASE_REOPENED,
    CASE_RESOLVED,
    CASE_STATUS_CHANGED,
    CASE_STATUS_CHANGING,
    CASE_UPDATED,
    CASE_UPDATING,
    TASK_ADDED,
    TASK_ASSIGNED,
    TASK_COMPLETED,
    TASK_COMPLETING,
    TASK_REOPENED,
)
from rapport.cases.models import Case, CaseType, Comment, Status, Task
from rapport.contacts.models import Contact
from rapport.core import hooks
from rapport.core.access import require_same_workspace
from rapport.core.audit import action, record_by, snapshot
from rapport.core.events import emit
from rapport.core.mentions import mentioned
from rapport.core.models import Membership, Team
from rapport.core.names import unique_name
from rapport.core.permissions import Verb, can, require, require_own_or
from rapport.core.priority import Priority, clean_priority, priority_name
from rapport.inbox.models import Conversation
from rapport.listening.models import Post
from rapport.notifications.actions import notify, notify_team
from rapport.notifications.models import Kind

FIELDS = [
    "subject",
    "priority",
    "status",
    "owner",
    "team",
    "customer",
    "tags",
    "custom_fields",
    "parent",
]
MAX_DEPTH = 20  # parent chains longer than this are refused (and walking them stays bounded)
SUBJECT_MAX = 200
BODY_MAX = 10_000
MAX_TAGS = 20
MAX_CHECKLIST = 50


class TransitionError(ValidationError):
    """A status change the state machine does not allow (the API answers 409)."""


@dataclass(frozen=True)
class Transition:
    name: str
    verb: Verb
    check: Callable[[Case], str] | None = None


def _no_open_tasks(case: Case) -> str:
    count = case.tasks.filter(status=Task.State.OPEN).count()
    if count:
        return f"{count} task{'s' if count != 1 else ''} still open; finish or close them first"
    return ""


def _not_merged(case: Case) -> str:
    if case.merged_into_id:
        return f"it was merged into case #{case.merged_into_id}; an admin can unmerge it instead"
    return ""


_WAITING = (Status.WAITING_CUSTOMER, Status.WAITING_APPROVAL, Status.WAITING_THIRD_PARTY)
_WORKING = (Status.OPEN, *_WAITING)

#: (from, to) -> the transition: its name, the verb that may make it, a precondition.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.NEW, Status.OPEN): Transition("open", Verb.MOVE_CASES),
    **{(s, w): Transition("wait", Verb.MOVE_CASES) for s in _WORKING for w in _WAITING if s != w},
    **{(w, Status.OPEN): Transition("resume", Verb.MOVE_CASES) for w in _WAITING},
    **{
        (s, Status.RESOLVED): Transition("resolve", Verb.RESOLVE_CASES, _no_open_tasks)
        for s in (Status.NEW, *_WORKING)
    },
    (Status.RESOLVED, Status.CLOSED): Transition("close", Verb.RESOLVE_CASES),
    (Status.RESOLVED, Status.OPEN): Transition("reopen", Verb.RESOLVE_CASES),
    (Status.CLOSED, Status.OPEN): Transition("reopen", Verb.REOPEN_CLOSED, _not_merged),
}


def allowed_transitions(member: Membership, case: Case) -> list[tuple[str, str]]:
    """(to status, transition name) the member may make from the case's status now."""
    return [
        (to, t.name)
        for (frm, to), t in TRANSITIONS.items()
        if frm == case.status and can(member, t.verb)
    ]


def _label(status: str) -> str:
    return Status(status).label.lower() if status in Status.values else repr(status)


def _text(value: object, field: str, limit: int, *, required: bool) -> str:
    if not isinstance(value, str):
        raise ValidationError({field: f"The {field} must be text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: f"The {field} is required."})
    if len(value) > limit:
        raise ValidationError({field: f"The {field} is {len(value)} characters; at most {limit}."})
    return value


def _clean_tags(tags: object) -> list[str]:
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationError({"tags": "Tags must be a list of words."})
    out: list[str] = []
    for tag in tags:
        tag = tag.strip().lower()
        if not tag or len(tag) > 50:
            raise ValidationError({"tags": f"Tag {tag!r} must be 1 to 50 characters."})
        if tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags per case."})
    return out


def _clean_custom_fields(case_type: CaseType | None, fields: object) -> dict[str, Any]:
    """The fields, validated against the case type's JSON schema (each problem names its field)."""
    if not isinstance(fields, dict):
        raise ValidationError({"custom_fields": "Custom fields must be an object of names."})
    if fields and case_type is None:
        raise ValidationError({"custom_fields": "Custom fields need a case type."})
    if case_type is not None:
        custom_fields.validate(case_type.schema, fields, case_type.name)
    return fields


# Case types --------------------------------------------------------------------------------


@action("case_type.create")
def create_case_type(actor: Membership, *, name: str, schema: object = None) -> CaseType:
    """A case type; `schema` is a JSON schema (an object) for its cases' custom fields."""
    require(actor, Verb.CASE_TYPES)
    name = unique_name(
        name, taken=CaseType.objects.filter(workspace=actor.workspace), noun="case type"
    )
    schema = custom_fields.check_schema({} if schema is None else schema)
    case_type = CaseType.objects.create(workspace=actor.workspace, name=name, schema=schema)
    record_by(actor, verb="case_type.create", obj=case_type, after={"name": name, "schema": schema})
    return case_type


@action("case_type.update")
def update_case_type(
    actor: Membership, case_type: CaseType, *, name: object = None, schema: object = None
) -> CaseType:
    """Renames a case type and/or replaces its schema; existing cases keep their fields (the new
    schema applies the next time each is saved)."""
    require(actor, Verb.CASE_TYPES)
    require_same_workspace(actor, case_type)
    before = {"name": case_type.name, "schema": case_type.schema}
    if name is not None:
        case_type.name = unique_name(
            name,
            taken=CaseType.objects.filter(workspace=actor.workspace),
            noun="case type",
            exclude=case_type.pk,
        )
    if schema is not None:
        case_type.schema = custom_fields.check_schema(schema)
    after = {"name": case_type.name, "schema": case_type.schema}
    if after != before:
        case_type.save()
        record_by(actor, verb="case_type.update", obj=case_type, before=before, after=after)
    return case_type


# Cases -------------------------------------------------------------------------------------


@action("case.create")
def create_case(
    actor: Membership,
    *,
    subject: str,
    description: str = "",
    customer: Contact | None = None,
    case_type: CaseType | None = None,
    custom_fields: object = None,
    priority: object = Priority.NORMAL,
    owner: Membership | None = None,
    team: Team | None = None,
    tags: object = None,
    conversation: Conversation | None = None,
    post: Post | None = None,
    parent: Case | None = None,
) -> Case:
    """Opens a case by hand, from the API, or from a conversation or post (keeping the link),
    optionally as a child of `parent`."""
    require(actor, Verb.OPEN_CASES)
    require_same_workspace(actor, customer, case_type, owner, team, conversation, post)
    case = Case(
        workspace=actor.workspace,
        subject=_text(subject, "subject", SUBJECT_MAX, required=True),
        description=_text(description, "description", BODY_MAX, required=False),
        customer=customer,
        case_type=case_type,
        custom_fields=_clean_custom_fields(case_type, custom_fields or {}),
        priority=clean_priority(priority),
        owner=owner,
        team=team,
        tags=_clean_tags(tags or []),
        conversation=conversation,
        post=post,
        status=Status.OPEN if owner else Status.NEW,
    )
    case.parent = _clean_parent(actor, case, parent)
    case.save()
    case.watchers.add(actor)
    event = record_by(actor, verb="case.create", obj=case, after=snapshot(case, FIELDS))
    log(actor, case, "opened the case", event=event)
    if case.parent is not None:
        log(actor, case.parent, f"added case #{case.pk} as a child", event=event)
    emit(
        CASE_OPENED,
        case.workspace_id,
        actor=actor,
        object_id=case.pk,
        status=case.status,
        conversation=case.conversation_id,
        customer=case.customer_id,
        team=case.team_id,
    )
    hooks.run(CASE_OPENING, case=case, actor=actor)
    return case


@action("case.open_from_conversation")
def open_case_from_conversation(
    actor: Membership, conversation: Conversation, *, subject: str = "", **fields: Any
) -> Case:
    """A case for this conversation; its subject and customer's words are kept, and linked."""
    require_same_workspace(actor, conversation)
    first = conversation.first_post
    case = create_case(
        actor,
        subject=subject or conversation.subject or f"Conversation #{conversation.pk}",
        description=fields.pop("description", "") or (first.text[:BODY_MAX] if first else ""),
        conversation=conversation,
        post=first,
        **fields,
    )
    record_by(
        actor,
        verb="case.open_from_conversation",
        obj=case,
        after={"conversation": conversation.pk},
    )
    return case


_UNSET: Any = object()


@action("case.update")
def update_case(
    actor: Membership,
    case: Case,
    *,
    subject: object = _UNSET,
    description: object = _UNSET,
    priority: object = _UNSET,
    owner: Membership | None = _UNSET,
    team: Team | None = _UNSET,
    customer: Contact | None = _UNSET,
    tags: object = _UNSET,
    custom_fields: object = _UNSET,
    parent: Case | None = _UNSET,
) -> Case:
    """Changes the fields given (the status changes through `transition`); `parent` makes the
    case a child of another (None: a case of its own again); `customer` links the person the
    case is about (None: nobody)."""
    require(actor, Verb.CHANGE_CASES)
    require_same_workspace(actor, case)
    before = snapshot(case, FIELDS)
    old_parent, old_description = case.parent, case.description
    if subject is not _UNSET:
        case.subject = _text(subject, "subject", SUBJECT_MAX, required=True)
    if description is not _UNSET:
        case.description = _text(description, "description", BODY_MAX, required=False)
    if priority is not _UNSET:
        case.priority = clean_priority(priority)
    if owner is not _UNSET:
        require_same_workspace(actor, owner)
        case.owner = owner
    if team is not _UNSET:
        require_same_workspace(actor, team)
        case.team = team
    if customer is not _UNSET:
        case.customer = _clean_customer(actor, customer)
    if tags is not _UNSET:
        case.tags = _clean_tags(tags)
    if custom_fields is not _UNSET:
        case.custom_fields = _clean_custom_fields(case.case_type, custom_fields)
    if parent is not _UNSET:
        case.parent = _clean_parent(actor, case, parent)
    after = snapshot(case, FIELDS)
    if after != before or description is not _UNSET:
        case.save()
        event = record_by(actor, verb="case.update", obj=case, before=before, after=after)
        changed = [f for f in FIELDS if before[f] != after[f] and f != "parent"]
        if case.description != old_description:
            changed.append("description")
        if changed:
            log(actor, case, _changes(before, after, changed), event=event)
        if before["parent"] != after["parent"]:
            _log_parent(actor, case, old_parent, event)
            changed.append("parent")
        if changed:
            emit(CASE_UPDATED, case.workspace_id, actor=actor, object_id=case.pk, fields=changed)
            hooks.run(CASE_UPDATING, case=case, actor=actor, fields=changed)
    return case


def _clean_customer(actor: Membership, customer: Contact | None) -> Contact | None:
    """`customer`, unless another workspace's or merged into someone else (then name that one)."""
    if customer is None:
        return None
    require_same_workspace(actor, customer)
    if customer.merged_into_id:
        raise ValidationError(
            {
                "customer": f"{customer.name} was merged into contact #{customer.merged_into_id}; "
                "link that one."
            }
        )
    return customer


def _clean_parent(actor: Membership, case: Case, parent: Case | None) -> Case | None:
    """`parent`, unless it is the case itself, another workspace's, merged, or a descendant."""
    if parent is None:
        return None
    require_same_workspace(actor, parent)
    if parent.pk == case.pk:
        raise ValidationError({"parent": f"Case #{case.pk} cannot be its own parent."})
    if parent.merged_into_id:
        raise ValidationError(
            {
                "parent": f"Case #{parent.pk} was merged into #{parent.merged_into_id}; "
                f"choose #{parent.merged_into_id} as the parent."
            }
        )
    seen = parent
    for _ in range(MAX_DEPTH):
        if seen.parent_id is None:
            return parent
        if seen.parent_id == case.pk:
            raise ValidationError(
                {
                    "parent": f"Case #{parent.pk} is already under case #{case.pk}; making it "
                    f"the parent would make a circle."
                }
            )
        seen = Case.objects.only("pk", "parent_id").get(pk=seen.parent_id)
    raise ValidationError({"parent": f"Cases nest at most {MAX_DEPTH} deep."})


def _log_parent(actor: Membership, case: Case, old_parent: Case | None, event: Any) -> None:
    if old_parent is not None:
        log(actor, old_parent, f"case #{case.pk} is no longer a child of this case", event=event)
    if case.parent is not None:
        log(actor, case, f"made this a child of case #{case.parent.pk}", event=event)
        log(actor, case.parent, f"added case #{case.pk} as a child", event=event)
    else:
        log(actor, case, "made this a case of its own (no parent)", event=event)


_NAMES = {"custom_fields": "custom fields"}


def _changes(before: dict[str, Any], after: dict[str, Any], fields: list[str]) -> str:
    parts = []
    for f in fields:
        if f == "priority":
            parts.append(f"priority from {priority_name(before[f])} to {priority_name(after[f])}")
        else:
            parts.append(f"the {_NAMES.get(f, f)}")
    return "changed " + ", ".join(parts)


@action("case.transition")
def transition(actor: Membership, case: Case, *, to: str) -> Case:
    """Moves the case along the state machine; refuses with the reason when it may not."""
    if to not in Status.values:
        raise TransitionError(
            {"status": f"Unknown status {to!r}; use one of {', '.join(Status.values)}."}
        )
    step = TRANSITIONS.get((case.status, to))
    if step is None:
        raise TransitionError(f"A case cannot go from {_label(case.status)} to {_label(to)}.")
    require(actor, step.verb)
    problem = step.check(case) if step.check else ""
    if problem:
        raise TransitionError(
            f"Cannot move the case from {_label(case.status)} to {_label(to)}: {problem}."
        )
    before = snapshot(case, FIELDS)
    now = timezone.now()
    case.status = to
    if to == Status.RESOLVED:
        case.resolved_at = now
    elif to == Status.CLOSED:
        case.closed_at = now
    else:
        case.resolved_at = case.closed_at = None
    case.save()
    event = record_by(
        actor, verb="case.transition", obj=case, before=before, after=snapshot(case, FIELDS)
    )
    words = f"moved the case from {_label(before['status'])} to {_label(to)}"
    log(actor, case, words, event=event)
    who = actor.user.display_name
    tell_watchers(actor, case, f"{who} {words} (#{case.pk} {case.subject})")
    tell_status_change(case, actor, before["status"])
    return case


def tell_status_change(case: Case, actor: Membership | None, before: str) -> None:
    """Tells the other domains the case, saved, moved from `before` to its status now: the
    event for what happened, and the hooks that must commit with it (a transition, a decided
    approval; a merge and an unmerge tell their own event and run the hooks)."""
    after = case.status
    if after == Status.RESOLVED:
        emit(
            CASE_RESOLVED,
            case.workspace_id,
            actor=actor,
            object_id=case.pk,
            before=before,
            team=case.team_id,
        )
    elif after == Status.CLOSED:
        emit(CASE_CLOSED, case.workspace_id, actor=actor, object_id=case.pk)
    elif before in (Status.RESOLVED, Status.CLOSED):
        emit(CASE_REOPENED, case.workspace_id, actor=actor, object_id=case.pk, before=before)
    else:
        emit(
            CASE_STATUS_CHANGED,
            case.workspace_id,
            actor=actor,
            object_id=case.pk,
            before=before,
            after=after,
        )
    hooks.run(CASE_STATUS_CHANGING, case=case, actor=actor, before=before, after=after)


@action("case.watch")
def watch(actor: Membership, case: Case, *, member: Membership, on: bool = True) -> Case:
    """Adds (or with on=False removes) a watcher; anyone may watch, agents may add others."""
    require(actor, Verb.WATCH)
    require_same_workspace(actor, member)
    if member.pk != actor.pk:
        require(actor, Verb.CHANGE_WATCHERS)
    if on:
        case.watchers.add(member)
    else:
        case.watchers.remove(member)
    event = record_by(
        actor, verb="case.watch", obj=case, after={"member": member.pk, "watching": on}
    )
    if member.pk == actor.pk:
        words = "started watching the case" if on else "stopped watching the case"
    else:
        name = member.user.display_name
        words = f"added {name} as a watcher" if on else f"removed {name} from the watchers"
    log(actor, case, words, event=event)
    return case


# Tasks -------------------------------------------------------------------------------------


def _clean_due(due_date: object, *, new: bool) -> datetime.date | None:
    if due_date is None or due_date == "":
        return None
    if isinstance(due_date, str):
        try:
            due_date = datetime.date.fromisoformat(due_date)
        except ValueError:
            raise ValidationError(
                {"due_date": f"{due_date!r} is not a date; write it as YYYY-MM-DD."}
            ) from None
    if isinstance(due_date, datetime.datetime):
        due_date = due_date.date()
    if not isinstance(due_date, datetime.date):
        raise ValidationError({"due_date": "The due date must be a date (YYYY-MM-DD)."})
    today = timezone.localdate()
    if new and due_date < today:
        raise ValidationError(
            {
                "due_date": f"The due date {due_date.isoformat()} is in the past (today is "
                f"{today.isoformat()})."
            }
        )
    return due_date


def _clean_checklist(checklist: object) -> list[dict[str, Any]]:
    if not isinstance(checklist, list):
        raise ValidationError({"checklist": "The checklist must be a list of items."})
    if len(checklist) > MAX_CHECKLIST:
        raise ValidationError({"checklist": f"At most {MAX_CHECKLIST} checklist items."})
    out = []
    for i, item in enumerate(checklist, 1):
        if isinstance(item, str):
            item = {"text": item, "done": False}
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("text"), str)
            or not item["text"].strip()
            or len(item["text"]) > 200
            or not isinstance(item.get("done", False), bool)
            or set(item) - {"text", "done"}
        ):
            raise ValidationError(
                {
                    "checklist": f"Item {i} must be text of 1 to 200 characters, or "
                    '{"text": ..., "done": true|false}.'
                }
            )
        out.append({"text": item["text"].strip(), "done": item.get("done", False)})
    return out


def _alive(case: Case, doing: str) -> None:
    if case.status == Status.CLOSED:
        raise ValidationError(f"Case #{case.pk} is closed; reopen it to {doing}.")


@action("case.task.add")
def add_task(
    actor: Membership,
    case: Case,
    *,
    title: str,
    assignee: Membership | None = None,
    due_date: object = None,
    checklist: object = None,
) -> Task:
    """An ad-hoc task on the case; anyone in the workspace may be its assignee."""
    require(actor, Verb.ADD_TASKS)
    require_same_workspace(actor, case, assignee)
    _alive(case, "add tasks")
    task = Task.objects.create(
        workspace=actor.workspace,
        case=case,
        title=_text(title, "title", 200, required=True),
        assignee=assignee,
        due_date=_clean_due(due_date, new=True),
        checklist=_clean_checklist(checklist or []),
    )
    if assignee is not None:
        case.watchers.add(assignee)
    case.save(update_fields=["updated_at"])
    event = record_by(
        actor,
        verb="case.task.add",
        obj=task,
        after=snapshot(task, ["case", "title", "assignee", "due_date", "status"]),
    )
    whom = f" for {assignee.user.display_name}" if assignee is not None else ""
    log(actor, case, f"added the task “{task.title}”{whom}", event=event)
    emit(
        TASK_ADDED,
        case.workspace_id,
        actor=actor,
        object_id=task.pk,
        case=case.pk,
        assignee=task.assignee_id,
    )
    if assignee is not None:
        notify(
            assignee,
            Kind.ASSIGNED,
            f"{actor.user.display_name} gave you the task “{task.title}” on case #{case.pk}",
            case_url(case),
            actor,
        )
    return task


@action("case.task.update")
def update_task(
    actor: Membership,
    task: Task,
    *,
    title: object = _UNSET,
    assignee: Membership | None = _UNSET,
    due_date: object = _UNSET,
    status: object = _UNSET,
    checklist: object = _UNSET,
) -> Task:
    """Changes a task; its assignee (even a back-office employee) may complete it."""
    require_own_or(actor, task.assignee_id, Verb.WORK_OWN_TASKS, Verb.CHANGE_TASKS)
    require_same_workspace(actor, task)
    _alive(task.case, "change its tasks")
    fields = ["title", "assignee", "due_date", "status", "checklist"]
    before = snapshot(task, fields)
    if title is not _UNSET:
        task.title = _text(title, "title", 200, required=True)
    if assignee is not _UNSET:
        require_same_workspace(actor, assignee)
        task.assignee = assignee
    if due_date is not _UNSET:
        due = _clean_due(due_date, new=False)
        if due != task.due_date:  # a changed due date may not be in the past either
            _clean_due(due, new=True)
        task.due_date = due
    if checklist is not _UNSET:
        task.checklist = _clean_checklist(checklist)
    if status is not _UNSET:
        if status not in Task.State.values:
            raise ValidationError({"status": f"Unknown task status {status!r}; use open or done."})
        task.status = str(status)
        task.done_at = timezone.now() if status == Task.State.DONE else None
    after = snapshot(task, fields)
    if after != before:
        task.save()
        task.case.save(update_fields=["updated_at"])
        event = record_by(actor, verb="case.task.update", obj=task, before=before, after=after)
        if before["status"] != after["status"]:
            done = task.status == Task.State.DONE
            words = f"{'completed' if done else 'reopened'} the task “{task.title}”"
        else:
            words = f"changed the task “{task.title}”"
        log(actor, task.case, words, event=event)
        _tell_task_changes(actor, task, before)
    return task


def _tell_task_changes(actor: Membership, task: Task, before: dict[str, Any]) -> None:
    """The events of a changed task (given to someone else, completed, reopened), and the
    hooks that complete with it (a playbook's step)."""
    case_id, assignee = task.case_id, task.assignee_id
    if before["assignee"] != assignee:
        emit(
            TASK_ASSIGNED,
            task.workspace_id,
            actor=actor,
            object_id=task.pk,
            case=case_id,
            assignee=assignee,
        )
    if before["status"] != Task.State.DONE and task.status == Task.State.DONE:
        emit(
            TASK_COMPLETED,
            task.workspace_id,
            actor=actor,
            object_id=task.pk,
            case=case_id,
            assignee=assignee,
            team=task.case.team_id,
        )
        hooks.run(TASK_COMPLETING, task=task, actor=actor)
    elif before["status"] == Task.State.DONE and task.status != Task.State.DONE:
        emit(TASK_REOPENED, task.workspace_id, actor=actor, object_id=task.pk, case=case_id)


# Comments ----------------------------------------------------------------------------------


@action("case.comment")
def add_comment(actor: Membership, case: Case, *, body: str, public: bool = False) -> Comment:
    """An internal comment (with @name and @team mentions) or, with `public`, an update for the
    customer. Mentioned people and the members of mentioned teams are notified; so are the
    case's watchers."""
    require(actor, Verb.COMMENT)
    require_same_workspace(actor, case)
    if not isinstance(public, bool):
        raise ValidationError({"public": "public must be true or false."})
    if public:
        require(actor, Verb.PUBLIC_UPDATES)
    text = _text(body, "body", BODY_MAX, required=True)
    people, teams = ([], []) if public else mentioned(actor.workspace, text, teams=True)
    comment = Comment.objects.create(
        workspace=actor.workspace, case=case, author=actor, body=text, public=public
    )
    if people:  # a new comment: nothing to replace, nothing to read first
        comment.mentions.add(*people)
    if teams:
        comment.team_mentions.add(*teams)
    case.watchers.add(actor, *people)
    case.save(update_fields=["updated_at"])
    event = record_by(
        actor,
        verb="case.comment",
        obj=comment,
        after={
            "case": case.pk,
            "public": public,
            "mentions": [m.pk for m in people],
            "team_mentions": [t.pk for t in teams],
        },
    )
    log(
        actor,
        case,
        "posted a public update for the customer" if public else "commented",
        event=event,
        comment=comment,
    )
    emit(
        CASE_COMMENTED,
        case.workspace_id,
        actor=actor,
        object_id=case.pk,
        comment=comment.pk,
        public=public,
        team=case.team_id,
    )
    hooks.run(CASE_COMMENTING, comment=comment, actor=actor)
    who, url = actor.user.display_name, case_url(case)
    told: list[Membership] = list(people)
    for person in people:
        notify(person, Kind.MENTION, f"{who} mentioned you on case #{case.pk}", url, actor)
    for team in teams:
        told += notify_team_members(actor, team, case, url)
    what = "posted a public update on" if public else "commented on"
    tell_watchers(actor, case, f"{who} {what} case #{case.pk} {case.subject}", skip=told)
    return comment


def notify_team_members(actor: Membership, team: Team, case: Case, url: str) -> list[Membership]:
    notify_team(
        team,
        Kind.MENTION,
        f"{actor.user.display_name} mentioned your team {team.name} on case #{case.pk}",
        url,
        actor,
    )
    return list(team.members.all())
