"""Reads of people: who knows what, and who to ask (`experts`)."""

from collections.abc import Callable, Iterable, Mapping

from django.db.models import Count, Prefetch, Q, QuerySet

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership, Team, Workspace
from rapport.people.models import MemberSkill, Skill

#: Given candidate members, how much open work each has now (member id -> count); the inbox
#: passes its open conversations, people itself knows nobody's work.
LoadFunction = Callable[[list[Membership]], Mapping[int, int]]


def access_skill(viewer: Membership, skill_id: object) -> Skill:
    return access_in_workspace(viewer, Skill.objects.all(), skill_id)


def workspace_skills(viewer: Membership, search: str = "") -> QuerySet[Skill]:
    skills = Skill.objects.filter(workspace=viewer.workspace)
    if search:
        skills = skills.filter(Q(name__icontains=search) | Q(description__icontains=search))
    return skills.annotate(holder_count=Count("holders")).order_by("name")


def _with_skills(members: QuerySet[Membership]) -> QuerySet[Membership]:
    return members.select_related("user").prefetch_related(
        "teams",
        Prefetch("skills", queryset=MemberSkill.objects.select_related("skill")),
    )


def people(
    viewer: Membership,
    *,
    search: str = "",
    skill: Skill | None = None,
    team: Team | None = None,
) -> QuerySet[Membership]:
    """Members with teams and skills; `search` matches names, emails, titles, skills, teams."""
    members = Membership.objects.filter(workspace=viewer.workspace)
    if search:
        matching = Membership.objects.filter(workspace=viewer.workspace).filter(
            Q(user__email__icontains=search)
            | Q(user__full_name__icontains=search)
            | Q(title__icontains=search)
            | Q(skills__skill__name__icontains=search)
            | Q(teams__name__icontains=search)
        )
        members = members.filter(pk__in=matching.values("pk"))
    if skill is not None:
        members = members.filter(skills__skill=skill)
    if team is not None:
        members = members.filter(teams=team)
    return _with_skills(members).order_by("user__full_name", "user__email")


def profile(viewer: Membership, member_id: object) -> Membership:
    """One member of the viewer's workspace with teams and skills; another workspace's is a 404."""
    return access_in_workspace(
        viewer, _with_skills(Membership.objects.all()), member_id, field="workspace"
    )


def experts(
    workspace: Workspace,
    skill: Skill | str,
    team: Team | None = None,
    *,
    load: LoadFunction | None = None,
    exclude: Iterable[Membership] = (),
) -> list[Membership]:
    """Active members who carry `skill` (a Skill or its name, any case), least loaded first.

    Load is `load(members)` (without one, nobody is busier than another); ties go to the
    higher level, then to the name. `team` keeps only its members; `exclude`
    leaves people out (the one asking). Each member returned carries `.skill_level` (1-3) and
    `.load`. An unknown skill name gives an empty list.
    """
    if isinstance(skill, str):
        found = Skill.objects.filter(workspace=workspace, name__iexact=skill.strip()).first()
        if found is None:
            return []
        skill = found
    if skill.workspace_id != workspace.pk:
        return []
    held = MemberSkill.objects.filter(
        skill=skill, member__workspace=workspace, member__user__is_active=True
    ).select_related("member__user", "member__workspace")
    if team is not None:
        held = held.filter(member__teams=team)
    left_out = {m.pk for m in exclude}
    members = []
    for row in held:
        if row.member_id in left_out:
            continue
        member = row.member
        member.skill_level = row.level  # type: ignore[attr-defined]
        members.append(member)
    loads = load(members) if load is not None and members else {}
    for member in members:
        member.load = int(loads.get(member.pk, 0))  # type: ignore[attr-defined]
    members.sort(
        key=lambda m: (m.load, -m.skill_level, m.user.display_name.lower())  # type: ignore[attr-defined]
    )
    return members
