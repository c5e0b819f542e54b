"""The people demo: Acme's people carry skills, so experts are found; loading twice adds nothing."""

import pytest

from rapport.core import demo as core_demo
from rapport.people import demo, selectors
from rapport.people.models import MemberSkill, Skill

pytestmark = pytest.mark.django_db


def test_demo_people_carry_skills_and_experts_are_found():
    workspace, owner = core_demo.create_workspace()
    core_demo.load(workspace, owner)
    demo.load(workspace, owner)
    demo.load(workspace, owner)
    assert Skill.objects.filter(workspace=workspace).count() == len(demo.SKILLS)
    assert MemberSkill.objects.filter(member__workspace=workspace).count() == sum(
        len(h) for h in demo.HOLDINGS.values()
    )
    rnd = workspace.teams.get(name="R&D")
    found = selectors.experts(workspace, "R&D: savings products", team=rnd, load=lambda ms: {})
    assert [m.user.email for m in found] == ["ravi@acme.example"]
    care = workspace.teams.get(name="Social Care")
    cards = selectors.experts(workspace, "cards", team=care, load=lambda ms: {})
    assert [m.user.email for m in cards][:2] == ["maya@acme.example", "sam@acme.example"]
