"""The People pages: members with teams and skills, search and filters, a profile's skills."""

import pytest

from rapport.core.roles import Role
from rapport.people import actions
from rapport.people.models import MemberSkill, Skill

pytestmark = pytest.mark.django_db


@pytest.fixture
def sam(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def ravi(acme, make_member):
    return make_member(acme, Role.EMPLOYEE, email="ravi@acme.example")


def test_people_list_shows_skills_searches_and_filters_by_skill(owner_client, owner, sam, ravi):
    actions.set_member_skill(owner, ravi, skill="mobile app", level=3)
    actions.set_member_skill(owner, sam, skill="<b>cards</b>")
    html = owner_client.get("/w/acme/people/").content.decode()
    assert "mobile app" in html
    assert "· expert" in html
    assert "&lt;b&gt;cards&lt;/b&gt;" in html  # a skill's name is text, never markup
    assert "<b>cards</b>" not in html
    found = owner_client.get("/w/acme/people/?q=mobile", headers={"HX-Request": "true"})
    fragment = found.content.decode()
    assert fragment.lstrip().startswith('<div id="people-list"')
    assert "ravi@acme.example" in fragment
    assert "sam@acme.example" not in fragment
    skill = Skill.objects.get(name="<b>cards</b>")
    filtered = owner_client.get(f"/w/acme/people/?skill={skill.pk}").content.decode()
    assert "Showing people who know" in filtered
    assert "sam@acme.example" in filtered
    assert "ravi@acme.example" not in filtered


def test_a_member_adds_and_removes_their_own_skill_in_place(signed_in, ravi):
    client = signed_in(ravi)
    page = client.get(f"/w/acme/people/{ravi.pk}/").content.decode()
    assert "You have not said what you know yet." in page
    response = client.post(
        f"/w/acme/people/{ravi.pk}/skills/",
        {"name": "R&D: savings products", "level": "3"},
        headers={"HX-Request": "true"},
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="member-skills"')
    assert "R&amp;D: savings products" in fragment
    assert "Expert" in fragment
    held = MemberSkill.objects.get(member=ravi)
    response = client.post(f"/w/acme/people/{ravi.pk}/skills/{held.skill_id}/remove/")
    assert response.status_code == 302
    assert not MemberSkill.objects.filter(member=ravi).exists()


def test_bad_skill_input_shows_the_message_on_the_form(signed_in, ravi):
    response = signed_in(ravi).post(
        f"/w/acme/people/{ravi.pk}/skills/", {"name": "   ", "level": "2"}
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = signed_in(ravi).post(
        f"/w/acme/people/{ravi.pk}/skills/", {"name": "cards", "level": "9"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_colleagues_cannot_edit_each_others_skills_but_managers_can(
    signed_in, acme, sam, ravi, make_member
):
    page = signed_in(sam).get(f"/w/acme/people/{ravi.pk}/").content.decode()
    assert "Save skill" not in page
    response = signed_in(sam).post(f"/w/acme/people/{ravi.pk}/skills/", {"name": "x", "level": 2})
    assert response.status_code == 403
    manager = make_member(acme, Role.MANAGER)
    response = signed_in(manager).post(
        f"/w/acme/people/{ravi.pk}/skills/", {"name": "mobile app", "level": 2}
    )
    assert response.status_code == 302
    assert MemberSkill.objects.filter(member=ravi, skill__name="mobile app").exists()


def test_skills_are_created_by_members_and_deleted_by_managers(signed_in, owner_client, sam):
    response = signed_in(sam).post("/w/acme/people/skills/", {"name": "mortgages"})
    assert response.status_code == 302
    skill = Skill.objects.get(name="mortgages")
    again = signed_in(sam).post("/w/acme/people/skills/", {"name": "Mortgages"})
    assert again.status_code == 400
    assert "already a skill called" in again.content.decode()
    assert signed_in(sam).post(f"/w/acme/people/skills/{skill.pk}/delete/").status_code == 403
    assert owner_client.post(f"/w/acme/people/skills/{skill.pk}/delete/").status_code == 302
    assert not Skill.objects.exists()


def test_another_workspaces_people_and_skills_are_404(owner_client, globex, make_member):
    stranger = make_member(globex, Role.AGENT)
    globex_owner = globex.memberships.get(role=Role.OWNER)
    skill = actions.create_skill(globex_owner, name="claims")
    assert owner_client.get(f"/w/acme/people/{stranger.pk}/").status_code == 404
    assert owner_client.get(f"/w/acme/people/?skill={skill.pk}").status_code == 404
    assert owner_client.post(f"/w/acme/people/skills/{skill.pk}/delete/").status_code == 404
    assert (
        owner_client.post(f"/w/acme/people/{stranger.pk}/skills/", {"name": "x", "level": 2})
    ).status_code == 404
    assert Skill.objects.filter(pk=skill.pk).exists()
