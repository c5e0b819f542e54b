"""Skills: who may say what they know, clear errors, and `experts` for asking and routing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rapport.core import actions as core_actions
from rapport.core.models import AuditEvent
from rapport.core.roles import Role
from rapport.people import actions, selectors
from rapport.people.models import Level, MemberSkill, Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def priya(acme, make_member):
    return make_member(acme, Role.AGENT, email="priya@acme.example")


def test_a_member_says_what_they_know_by_name_creating_the_skill(sam):
    held = actions.set_member_skill(sam, sam, skill="  Mortgages  ", level=Level.EXPERT)
    assert held.skill.name == "Mortgages"
    assert held.level == Level.EXPERT
    again = actions.set_member_skill(sam, sam, skill="mortgages", level="1")  # any case, a form
    assert again.pk == held.pk
    assert again.level == Level.LEARNING
    assert Skill.objects.filter(workspace=sam.workspace).count() == 1
    assert list(AuditEvent.objects.filter(actor=sam.user).values_list("verb", flat=True)) == [
        "member_skill.set",
        "member_skill.set",
        "skill.create",
    ]


def test_only_managers_change_other_peoples_skills(acme, sam, priya, make_member):
    with pytest.raises(PermissionDenied, match="manager or above"):
        actions.set_member_skill(sam, priya, skill="cards")
    manager = make_member(acme, Role.MANAGER)
    actions.set_member_skill(manager, priya, skill="cards")
    viewer = make_member(acme, Role.VIEWER)
    with pytest.raises(PermissionDenied, match="employee or above"):
        actions.set_member_skill(viewer, viewer, skill="cards")
    with pytest.raises(PermissionDenied, match="manager or above"):
        actions.delete_skill(sam, Skill.objects.get(name="cards"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"skill": "   "}, "needs a name"),
        ({"skill": "x" * 101}, "at most 100"),
        ({"skill": "cards", "level": 7}, "Unknown level 7"),
        ({"skill": "cards", "level": "guru"}, "Unknown level 'guru'"),
    ],
)
def test_bad_input_is_named(sam, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        actions.set_member_skill(sam, sam, **kwargs)
    assert not MemberSkill.objects.exists()


def test_skill_names_are_unique_in_any_case_per_workspace(owner, globex):
    actions.create_skill(owner, name="Mobile app")
    with pytest.raises(ValidationError, match="already a skill called 'mobile APP'"):
        actions.create_skill(owner, name="mobile APP")
    globex_owner = globex.memberships.get(role=Role.OWNER)
    actions.create_skill(globex_owner, name="mobile app")  # another workspace: its own
    other = actions.create_skill(owner, name="Cards")
    with pytest.raises(ValidationError, match="already a skill"):
        actions.update_skill(owner, other, name="MOBILE app")


def test_another_workspaces_skill_or_member_is_refused(owner, globex, make_member):
    theirs = actions.create_skill(globex.memberships.get(role=Role.OWNER), name="cards")
    with pytest.raises(PermissionDenied, match="another workspace"):
        actions.set_member_skill(owner, owner, skill=theirs)
    with pytest.raises(PermissionDenied, match="another workspace"):
        actions.set_member_skill(owner, make_member(globex, Role.AGENT), skill="cards")


def test_deleting_a_skill_takes_it_off_everyone(owner, sam, priya):
    actions.set_member_skill(sam, sam, skill="cards")
    actions.set_member_skill(priya, priya, skill="cards")
    actions.delete_skill(owner, Skill.objects.get(name="cards"))
    assert not MemberSkill.objects.exists()
    before = AuditEvent.objects.get(verb="skill.delete").before
    assert before is not None
    assert before["holders"] == 2


def test_removing_a_skill_one_does_not_have_says_so(sam):
    skill = actions.create_skill(sam, name="cards")
    with pytest.raises(ValidationError, match="has no skill 'cards'"):
        actions.remove_member_skill(sam, sam, skill)


def test_experts_least_loaded_first_then_level_then_name(owner, acme, sam, priya, make_member):
    nora = make_member(acme, Role.AGENT, email="nora@acme.example")
    for member, level in ((sam, 2), (priya, 3), (nora, 2)):
        actions.set_member_skill(owner, member, skill="mortgages", level=level)
    loads = {sam.pk: 0, priya.pk: 4, nora.pk: 0}
    found = selectors.experts(acme, "MORTGAGES", load=lambda ms: loads)
    assert found == [nora, sam, priya]  # nora and sam tie on load and level: by name
    assert [(m.load, m.skill_level) for m in found] == [(0, 2), (0, 2), (4, 3)]  # type: ignore[attr-defined]
    # All free: the expert first.
    assert selectors.experts(acme, "mortgages", load=lambda ms: {}, exclude=[nora]) == [priya, sam]


def test_experts_within_a_team_active_only_and_unknown_skills(owner, acme, sam, priya):
    actions.set_member_skill(owner, sam, skill="cards")
    actions.set_member_skill(owner, priya, skill="cards")
    team = core_actions.create_team(owner, name="Social Care")
    core_actions.add_team_member(owner, team, priya)
    assert selectors.experts(acme, "cards", team=team) == [priya]
    priya.user.is_active = False
    priya.user.save()
    assert selectors.experts(acme, "cards") == [sam]
    assert selectors.experts(acme, "astrology") == []


def test_experts_without_a_load_the_most_expert_first(owner, acme, sam, priya):
    # People knows nobody's work: the inbox passes its open conversations (see its tests).
    actions.set_member_skill(owner, sam, skill="cards", level=1)
    actions.set_member_skill(owner, priya, skill="cards", level=3)
    found = selectors.experts(acme, "cards")
    assert found == [priya, sam]
    assert [m.load for m in found] == [0, 0]  # type: ignore[attr-defined]


def test_people_search_matches_skills_teams_and_names(owner, acme, sam, priya):
    actions.set_member_skill(owner, sam, skill="R&D: savings products")
    team = core_actions.create_team(owner, name="Credit")
    core_actions.add_team_member(owner, team, priya)
    assert list(selectors.people(owner, search="savings")) == [sam]
    assert list(selectors.people(owner, search="credit")) == [priya]
    assert list(selectors.people(owner, search="priya@")) == [priya]
    skill = Skill.objects.get(name="R&D: savings products")
    assert list(selectors.people(owner, skill=skill)) == [sam]
    assert selectors.workspace_skills(owner).get().holder_count == 1  # type: ignore[attr-defined]
