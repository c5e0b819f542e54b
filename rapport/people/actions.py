"""Every write of people: skills of the workspace and the skills each member carries, audited.

Anyone but a viewer may name a new skill and say what they know; managers and above keep the
list of skills tidy (rename, delete) and edit anyone's skills.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from rapport.core.audit import action, record_by, snapshot
from rapport.core.models import Membership
from rapport.core.names import clean_name, name_taken, unique_name
from rapport.core.permissions import Verb, require, require_own_or
from rapport.people.models import Level, MemberSkill, Skill

SKILL_FIELDS = ["name", "description"]
DESCRIPTION_MAX = 300


def _clean_description(description: str) -> str:
    description = " ".join((description or "").split())
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": f"A description has at most {DESCRIPTION_MAX} characters."}
        )
    return description


def _clean_level(level: object) -> Level:
    try:
        return Level(int(level))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        known = ", ".join(f"{v} ({label.lower()})" for v, label in Level.choices)
        raise ValidationError({"level": f"Unknown level {level!r}; use {known}."}) from None


def find_skill(actor: Membership, name: str) -> Skill | None:
    return Skill.objects.filter(workspace=actor.workspace, name__iexact=name).first()


def _check_same_workspace(actor: Membership, *objects: Skill | Membership) -> None:
    for obj in objects:
        if obj.workspace_id != actor.workspace_id:
            raise PermissionDenied("That belongs to another workspace.")


def _may_edit_skills_of(actor: Membership, member: Membership) -> None:
    _check_same_workspace(actor, member)
    require_own_or(actor, member.pk, Verb.OWN_SKILLS, Verb.OTHERS_SKILLS)


@action("skill.create")
def create_skill(actor: Membership, *, name: str, description: str = "") -> Skill:
    require(actor, Verb.ADD_SKILLS)
    name = unique_name(name, taken=Skill.objects.filter(workspace=actor.workspace), noun="skill")
    try:
        with transaction.atomic():
            skill = Skill.objects.create(
                workspace=actor.workspace, name=name, description=_clean_description(description)
            )
    except IntegrityError:  # created by someone else a moment ago
        raise name_taken("skill", name) from None
    record_by(actor, verb="skill.create", obj=skill, after=snapshot(skill, SKILL_FIELDS))
    return skill


@action("skill.update")
def update_skill(
    actor: Membership, skill: Skill, *, name: str, description: str | None = None
) -> Skill:
    require(actor, Verb.MANAGE_SKILLS)
    _check_same_workspace(actor, skill)
    before = snapshot(skill, SKILL_FIELDS)
    skill.name = unique_name(
        name, taken=Skill.objects.filter(workspace=actor.workspace), noun="skill", exclude=skill.pk
    )
    if description is not None:
        skill.description = _clean_description(description)
    skill.save(update_fields=["name", "description"])
    record_by(
        actor, verb="skill.update", obj=skill, before=before, after=snapshot(skill, SKILL_FIELDS)
    )
    return skill


@action("skill.delete")
def delete_skill(actor: Membership, skill: Skill) -> None:
    """Deletes the skill and takes it off everyone who had it."""
    require(actor, Verb.MANAGE_SKILLS)
    _check_same_workspace(actor, skill)
    before = snapshot(skill, SKILL_FIELDS) | {"holders": skill.holders.count()}
    record_by(actor, verb="skill.delete", obj=skill, before=before)
    skill.delete()


@action("member_skill.set")
def set_member_skill(
    actor: Membership, member: Membership, *, skill: Skill | str, level: object = Level.PRACTISED
) -> MemberSkill:
    """Gives `member` a skill (an existing one, or a new one by name) at `level`, or changes it."""
    _may_edit_skills_of(actor, member)
    level = _clean_level(level)
    if isinstance(skill, str):
        name = clean_name(skill, noun="skill")
        found = find_skill(actor, name)
        if found is None:
            found = Skill.objects.create(workspace=actor.workspace, name=name)
            record_by(actor, verb="skill.create", obj=found, after=snapshot(found, SKILL_FIELDS))
        skill = found
    _check_same_workspace(actor, skill)
    held = MemberSkill.objects.filter(member=member, skill=skill).first()
    before = {"skill": skill.name, "level": held.level} if held else None
    if held is None:
        held = MemberSkill.objects.create(member=member, skill=skill, level=level)
    elif held.level != level:
        held.level = level
        held.save(update_fields=["level"])
    record_by(
        actor,
        verb="member_skill.set",
        obj=member,
        before=before,
        after={"skill": skill.name, "level": int(level)},
    )
    return held


@action("member_skill.remove")
def remove_member_skill(actor: Membership, member: Membership, skill: Skill) -> None:
    _may_edit_skills_of(actor, member)
    _check_same_workspace(actor, skill)
    held = MemberSkill.objects.filter(member=member, skill=skill).first()
    if held is None:
        raise ValidationError({"skill": f"{member.user.display_name} has no skill {skill.name!r}."})
    record_by(
        actor,
        verb="member_skill.remove",
        obj=member,
        before={"skill": skill.name, "level": held.level},
    )
    held.delete()
