"""What each role may do: one table of verbs, the least role each needs, and the check.

Every permission check in Rapport names a verb of this table (`require(member, Verb.X)`), and
the role descriptions shown on the members page and in docs/roles.md are written from it, so
what a role is said to do and what it can do cannot drift apart. Roles are ranked (viewer <
employee < agent < manager < admin < owner): a role may do what the roles below it may.

Where a verb has an "own" and an "anyone's" form (a task assigned to you, a colleague's task),
both are verbs here and the action picks the one that applies.
"""

import enum

from django.core.exceptions import PermissionDenied

from rapport.core.models import Membership
from rapport.core.roles import Role


@enum.unique  # two verbs saying the same would silently be one
class Verb(enum.Enum):
    """(area, what the member does in the users' words, the least role that may)."""

    area: str
    doing: str
    least: Role

    def __init__(self, area: str, doing: str, least: Role) -> None:
        self.area, self.doing, self.least = area, doing, least

    # Your own things: anyone in the workspace, viewers included.
    SAVE_VIEWS = ("Yourself", "save inbox views", Role.VIEWER)
    READ_NOTIFICATIONS = ("Yourself", "mark their notifications read", Role.VIEWER)
    OWN_TOKENS = ("Yourself", "create and revoke their own API tokens", Role.VIEWER)
    NOTIFICATION_SETTINGS = ("Yourself", "choose how they are notified", Role.VIEWER)
    OWN_SKILLS = ("Yourself", "say which skills they have", Role.EMPLOYEE)

    # Listening
    ADD_POSTS = ("Listening", "add posts", Role.EMPLOYEE)
    CAPTURE_POSTS = ("Listening", "capture posts", Role.EMPLOYEE)
    CORRECT_TRIAGE = ("Listening", "correct triage labels", Role.EMPLOYEE)
    MANAGE_QUERIES = ("Listening", "manage listening queries", Role.MANAGER)
    SEE_SOURCES = ("Listening", "see sources", Role.MANAGER)
    MANAGE_SOURCES = ("Listening", "add and change sources", Role.MANAGER)
    PAUSE_SOURCES = ("Listening", "pause and resume sources", Role.MANAGER)
    SOURCE_CREDENTIALS = ("Listening", "give sources credentials", Role.ADMIN)
    DELETE_SOURCES = ("Listening", "delete sources", Role.ADMIN)
    SOURCE_HEALTH = ("Listening", "see the health of sources and quarantined payloads", Role.ADMIN)

    # Inbox
    ADD_NOTES = ("Inbox", "add notes to conversations", Role.EMPLOYEE)
    HAND_OFF = ("Inbox", "hand conversations off", Role.EMPLOYEE)
    WORK_OWN_CONVERSATIONS = (
        "Inbox",
        "work the conversations handed or captured to them",
        Role.EMPLOYEE,
    )
    WORK_CONVERSATIONS = (
        "Inbox",
        "work any conversation (assign, prioritise, tag, close, merge, split)",
        Role.AGENT,
    )
    BULK_CONVERSATIONS = ("Inbox", "change conversations in bulk", Role.AGENT)
    SEE_ROUTING_RULES = ("Inbox", "see and preview routing rules", Role.AGENT)
    MANAGE_ROUTING_RULES = ("Inbox", "manage routing rules", Role.MANAGER)

    # Replies
    REPLY = ("Replies", "reply to posts (within the engagement policy)", Role.EMPLOYEE)
    RETRY_OTHERS_REPLIES = ("Replies", "retry other people's failed replies", Role.MANAGER)
    MANAGE_CANNED = ("Replies", "manage canned responses", Role.MANAGER)
    ENGAGEMENT_POLICY = ("Replies", "change the engagement policy", Role.ADMIN)

    # Cases
    OPEN_CASES = ("Cases", "open cases", Role.EMPLOYEE)
    COMMENT = ("Cases", "comment on cases", Role.EMPLOYEE)
    WATCH = ("Cases", "watch cases", Role.EMPLOYEE)
    ADD_TASKS = ("Cases", "add tasks to cases", Role.EMPLOYEE)
    WORK_OWN_TASKS = ("Cases", "update and complete the tasks assigned to them", Role.EMPLOYEE)
    MOVE_CASES = ("Cases", "start cases and set them waiting or back to open", Role.EMPLOYEE)
    CHANGE_CASES = (
        "Cases",
        "change a case's owner, team, priority, customer, fields and parent",
        Role.AGENT,
    )
    CHANGE_TASKS = ("Cases", "change, take or complete a colleague's task", Role.AGENT)
    CHANGE_WATCHERS = ("Cases", "change who watches a case", Role.AGENT)
    PUBLIC_UPDATES = ("Cases", "post public updates to the customer", Role.AGENT)
    SHARE_STATUS = ("Cases", "share a case's status with the customer and revoke it", Role.AGENT)
    RESOLVE_CASES = ("Cases", "resolve, close and reopen resolved cases", Role.AGENT)
    MERGE_CASES = ("Cases", "merge cases", Role.AGENT)
    RUN_PLAYBOOKS = ("Cases", "start, cancel and retry playbooks on a case", Role.AGENT)
    REOPEN_CLOSED = ("Cases", "reopen closed cases", Role.MANAGER)
    UNMERGE_CASES = ("Cases", "undo a case merge", Role.ADMIN)
    CASE_TYPES = ("Cases", "manage case types", Role.ADMIN)
    PLAYBOOKS = ("Cases", "upload playbooks and switch them off", Role.ADMIN)
    SLA = ("Cases", "set up SLA calendars, policies, escalation rules and timers", Role.ADMIN)

    # Approvals
    ASK_APPROVAL = ("Approvals", "ask for approvals and withdraw their own requests", Role.EMPLOYEE)
    DECIDE_APPROVALS = ("Approvals", "decide the approvals asked of them", Role.EMPLOYEE)
    DELEGATE = ("Approvals", "delegate their approvals while away", Role.EMPLOYEE)
    OTHERS_APPROVALS = (
        "Approvals",
        "withdraw, add files to or delegate someone else's approvals",
        Role.ADMIN,
    )
    APPROVAL_TIMERS = ("Approvals", "change when approvals are reminded and escalated", Role.ADMIN)

    # Ideas
    SUBMIT_IDEAS = (
        "Ideas",
        "submit ideas and turn posts, conversations and cases into ideas",
        Role.EMPLOYEE,
    )
    VOTE_FOR_CUSTOMERS = ("Ideas", "add a customer's vote, or a post as a vote", Role.EMPLOYEE)
    COMMENT_IDEAS = ("Ideas", "comment on ideas", Role.EMPLOYEE)
    MANAGE_IDEAS = (
        "Ideas",
        "change ideas' status, text and area, merge duplicates, link cases and tasks",
        Role.MANAGER,
    )
    REMOVE_VOTES = ("Ideas", "remove votes", Role.MANAGER)
    IDEA_PORTAL = ("Ideas", "set up the idea portal and its product areas", Role.ADMIN)

    # Recognition
    GIVE_KUDOS = ("Recognition", "thank colleagues with kudos", Role.EMPLOYEE)
    SEE_TEAM_RECOGNITION = (
        "Recognition",
        "see the team and company views of contributions and make the HR report",
        Role.MANAGER,
    )
    RECOGNITION_SETTINGS = (
        "Recognition",
        "change the contribution weights, switch leaderboards, leave a person out of them",
        Role.ADMIN,
    )

    # Contacts
    ADD_CONTACTS = ("Contacts", "add contacts and organizations", Role.EMPLOYEE)
    LOG_INTERACTIONS = ("Contacts", "log interactions", Role.EMPLOYEE)
    RECORD_OPT_OUT = ("Contacts", "record that a customer said no to contact", Role.EMPLOYEE)
    SEE_DUPLICATES = ("Contacts", "see suggested duplicates and merge history", Role.EMPLOYEE)
    CHANGE_CONTACTS = (
        "Contacts",
        "change contacts and organizations (email, do-not-contact, owner)",
        Role.AGENT,
    )
    RECORD_CONSENT = ("Contacts", "record a customer's consent", Role.AGENT)
    MERGE_CONTACTS = (
        "Contacts",
        "merge contacts, decide suggested duplicates and undo their own merges",
        Role.AGENT,
    )
    UNMERGE_ANY = ("Contacts", "undo anyone's contact merge", Role.MANAGER)
    DEDUPE = ("Contacts", "look for duplicate contacts", Role.MANAGER)
    IMPORT_CONTACTS = ("Contacts", "import contacts", Role.MANAGER)
    DELETE_CONTACTS = ("Contacts", "delete contacts and organizations", Role.MANAGER)

    # People and teams
    ADD_SKILLS = ("People", "add skills to the workspace's list", Role.EMPLOYEE)
    OTHERS_SKILLS = ("People", "change someone else's skills", Role.MANAGER)
    MANAGE_SKILLS = ("People", "rename and delete skills", Role.MANAGER)
    TEAM_MEMBERSHIP = ("People", "change who is in a team", Role.MANAGER)
    TEAMS = ("People", "create, rename and delete teams", Role.ADMIN)
    MEMBERS = ("People", "add and remove members and change their roles", Role.ADMIN)
    OWNERS = ("People", "make, change and remove owners", Role.OWNER)

    # The workspace
    BACKGROUND_TASKS = ("Workspace", "see and check background tasks", Role.MANAGER)
    RENAME_WORKSPACE = ("Workspace", "rename the workspace", Role.ADMIN)
    AUDIT_LOG = ("Workspace", "read the audit log", Role.ADMIN)
    OTHERS_TOKENS = ("Workspace", "revoke other people's API tokens", Role.ADMIN)


AREAS = (
    "Yourself",
    "Listening",
    "Inbox",
    "Replies",
    "Cases",
    "Approvals",
    "Ideas",
    "Contacts",
    "People",
    "Workspace",
)


def can(member: Membership | Role | str, verb: Verb) -> bool:
    role = Role(member.role if isinstance(member, Membership) else member)
    return role.at_least(verb.least)


def refusal(verb: Verb) -> str:
    label = verb.least.label.lower()
    article = "an" if label[0] in "aeiou" else "a"
    return f"Only {article} {label} or above may {verb.doing}."


def require(member: Membership, verb: Verb) -> None:
    """Refuses (PermissionDenied, a 403 saying who may) when the member's role is below the
    verb's."""
    if not can(member, verb):
        raise PermissionDenied(refusal(verb))


def require_own_or(member: Membership, owner_id: int | None, own: Verb, anyones: Verb) -> None:
    """The check of a verb with an own form: `own` when the thing is the member's, else
    `anyones`."""
    require(member, own if owner_id is not None and owner_id == member.pk else anyones)


def allowed(role: Role) -> list[Verb]:
    return [verb for verb in Verb if role.at_least(verb.least)]


# Role descriptions ------------------------------------------------------------------------

_BELOW = {
    Role.OWNER: Role.ADMIN,
    Role.ADMIN: Role.MANAGER,
    Role.MANAGER: Role.AGENT,
    Role.AGENT: Role.EMPLOYEE,
    Role.EMPLOYEE: Role.VIEWER,
}


def _grouped(verbs: list[Verb]) -> str:
    parts = []
    for area in AREAS:
        doings = [verb.doing for verb in verbs if verb.area == area]
        if doings:
            parts.append(f"{area}: {'; '.join(doings)}")
    return ". ".join(parts) + "."


def describe(role: Role) -> str:
    """What `role` may do, in sentences, written from the table."""
    role = Role(role)
    own = [verb for verb in Verb if verb.least == role]
    if role == Role.VIEWER:
        return "Reads everything in the workspace and changes only their own things. " + _grouped(
            own
        )
    below = _BELOW[role]
    article = "an" if below.label[0].lower() in "aeiou" else "a"
    return f"Everything {article} {below.label.lower()} may do, and also: " + _grouped(own)


def role_help() -> dict[Role, str]:
    return {role: describe(role) for role in Role}


def markdown() -> str:
    """docs/roles.md: the table of verbs and roles (`rapport roles` writes it, CI checks it)."""
    roles = sorted(Role, key=lambda r: r.rank)
    lines = [
        "# Roles and what they may do",
        "",
        "Written by `python -m rapport roles` from `rapport/core/permissions.py`, the one table",
        "every permission check reads; CI fails when this file differs. Roles are ranked: each",
        "may do what the roles to its left may. Besides these, everyone in a workspace reads",
        "everything in it, and an approval is decided by whoever it asks (a person, a team or",
        "a role).",
        "",
    ]
    for area in AREAS:
        lines += [f"## {area}", ""]
        lines.append("| may | " + " | ".join(r.label.lower() for r in roles) + " |")
        lines.append("|---|" + "---|" * len(roles))
        for verb in Verb:
            if verb.area == area:
                marks = " | ".join("yes" if r.at_least(verb.least) else "" for r in roles)
                lines.append(f"| {verb.doing} | {marks} |")
        lines.append("")
    lines += ["## The roles in a sentence", ""]
    for role in sorted(Role, key=lambda r: -r.rank):
        lines += [f"- **{role.label}**: {describe(role)}"]
    return "\n".join(lines) + "\n"
