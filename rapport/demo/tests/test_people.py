"""The people demo: Acme's people carry skills, so experts are found; loading twice adds nothing."""

import pytest

from rapport.demo import people as demo
from rapport.demo import workspace as demo_workspace
from rapport.people import selectors
from rapport.people.models import MemberSkill, Skill

pytestmark = pytest.mark.django_db


def test_demo_people_carry_skills_and_experts_are_found():
    workspace, owner = demo_workspace.create_workspace()
    demo_workspace.load(workspace, owner)
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
