"""Skills suggested from what a person resolved: the tags and case types of the conversations
and cases they answered, helped with or resolved. The person confirms a suggestion (it becomes
one of their skills, through the people app's action) or dismisses it (never suggested again);
nobody else does either for them."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count

from rapport.cases.models import Case
from rapport.core.audit import action, record_by
from rapport.core.models import Membership
from rapport.core.names import NAME_MAX, clean_name
from rapport.core.permissions import Verb, require
from rapport.inbox.models import ConversationTag
from rapport.people import actions as people_actions
from rapport.people.models import Level, MemberSkill, Skill
from rapport.recognition.models import Contribution, DismissedSkill, Kind
from rapport.recognition.selectors import can_see

#: Contributions that show what a person knows: they answered, helped or resolved.
RESOLVING = (
    Kind.FIRST_RESPONSE,
    Kind.PUBLIC_REPLY,
    Kind.EXPERT_ANSWER,
    Kind.COLLEAGUE_HELP,
    Kind.CASE_NOTE,
    Kind.TASK_DONE,
    Kind.CASE_RESOLVED,
)
#: A tag on fewer of their conversations and cases than this says little.
MIN_EVIDENCE = 2
SHOWN = 8
#: The latest conversations and cases of theirs read (a long career needs no more), from at
#: most SCAN of their latest contributions.
LOOKBACK = 500
SCAN = 2000


def fold(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class Suggestion:
    name: str
    skill: Skill | None  # the workspace's skill of this name; None: it would be a new one
    conversations: int
    cases: int

    @property
    def evidence(self) -> int:
        return self.conversations + self.cases

    @property
    def explained(self) -> str:
        parts = []
        if self.conversations:
            parts.append(f"{self.conversations} conversation{'s' * (self.conversations != 1)}")
        if self.cases:
            parts.append(f"{self.cases} case{'s' * (self.cases != 1)}")
        return " and ".join(parts)


def _latest(member: Membership) -> dict[str, list[int]]:
    """The conversations and cases of the person's latest resolving contributions, newest
    first: read backwards along the person's index (`contrib_member`), never a whole-history
    group-by (10,000 rows a person is a busy career)."""
    rows = (
        Contribution.objects.filter(
            workspace_id=member.workspace_id, member=member, kind__in=RESOLVING
        )
        .order_by("-at")
        .values_list("object_type", "object_id")[:SCAN]
    )
    latest: dict[str, dict[int, None]] = {"conversation": {}, "case": {}}
    for object_type, object_id in rows:
        seen = latest.get(object_type)
        if seen is not None and len(seen) < LOOKBACK:
            seen[object_id] = None
    return {kind: list(ids) for kind, ids in latest.items()}


def suggestions(viewer: Membership, member: Membership) -> list[Suggestion]:
    """What `member` resolved suggests they know, most evidence first; not the skills they
    hold nor those they dismissed."""
    if not can_see(viewer, member):
        raise PermissionDenied("Only the person and their managers see their contributions.")
    ws = member.workspace_id
    names: dict[str, str] = {}  # folded -> as first seen
    conversations: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    latest = _latest(member)
    for name, n in (
        ConversationTag.objects.filter(
            conversation_id__in=latest["conversation"], tag__workspace_id=ws
        )
        .order_by()
        .values_list("tag__name")
        .annotate(n=Count("conversation_id", distinct=True))
    ):
        key = fold(name)
        names.setdefault(key, " ".join(name.split()))
        conversations[key] += n
    for tags, kind in Case.objects.filter(workspace_id=ws, pk__in=latest["case"]).values_list(
        "tags", "case_type__name"
    ):
        raw = [t for t in (tags or []) if isinstance(t, str)] + ([kind] if kind else [])
        labels = {fold(t): " ".join(t.split()) for t in raw if t.strip()}
        for key, label in labels.items():
            names.setdefault(key, label)
            cases[key] += 1
    held = {
        fold(n)
        for n in MemberSkill.objects.filter(member=member).values_list("skill__name", flat=True)
    }
    dismissed = set(DismissedSkill.objects.filter(member=member).values_list("key", flat=True))
    skills = {fold(s.name): s for s in Skill.objects.filter(workspace_id=ws)}
    found = [
        Suggestion(
            skills[key].name if key in skills else names[key],
            skills.get(key),
            conversations[key],
            cases[key],
        )
        for key in names
        if key not in held
        and key not in dismissed
        and len(names[key]) <= NAME_MAX
        and conversations[key] + cases[key] >= MIN_EVIDENCE
    ]
    found.sort(key=lambda s: (-s.evidence, s.skill is None, s.name.casefold()))
    return found[:SHOWN]


def _only_themself(actor: Membership, member: Membership) -> None:
    if actor.workspace_id != member.workspace_id or actor.pk != member.pk:
        raise PermissionDenied(
            f"Only {member.user.display_name} confirms or dismisses their suggested skills."
        )


def confirm(actor: Membership, member: Membership, name: object) -> MemberSkill:
    """Adds a suggested skill to the person's skills (the people app's action audits it)."""
    _only_themself(actor, member)
    require(actor, Verb.OWN_SKILLS)
    wanted = fold(name) if isinstance(name, str) else ""
    chosen = next((s for s in suggestions(actor, member) if fold(s.name) == wanted), None)
    if chosen is None:
        raise ValidationError(
            {"name": f"{str(name)[:NAME_MAX]!r} is not one of the skills suggested to you."}
        )
    return people_actions.set_member_skill(
        actor, member, skill=chosen.skill or chosen.name, level=Level.PRACTISED
    )


@action("recognition.skill_dismiss")
def dismiss(actor: Membership, member: Membership, name: object) -> DismissedSkill:
    """The person says a suggested skill is not theirs: it is not suggested again."""
    _only_themself(actor, member)
    require(actor, Verb.OWN_SKILLS)
    clean = clean_name(name, noun="skill")
    row, _ = DismissedSkill.objects.get_or_create(
        member=member,
        key=fold(clean),
        defaults={"workspace_id": member.workspace_id, "name": clean},
    )
    record_by(actor, verb="recognition.skill_dismiss", obj=member, after={"skill": clean})
    return row
