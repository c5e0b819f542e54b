"""People: who is in the workspace, their teams and skills; a member's profile and skills."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.core import selectors as core_selectors
from rapport.core.access import access_team, access_workspace
from rapport.core.ids import parse_id
from rapport.core.models import Membership
from rapport.core.names import NAME_MAX
from rapport.core.permissions import Verb, can
from rapport.people import actions, selectors
from rapport.people.models import Level
from rapport.recognition import pages as recognition_pages
from rapport.recognition.selectors import can_see
from rapport.web.views.common import (
    add_action_errors,
    is_fragment,
    member_view,
    paginate,
    render_page,
    search_term,
)


class SkillForm(forms.Form):
    name = forms.CharField(
        max_length=NAME_MAX,
        label="Skill",
        help_text="An existing skill or a new one, e.g. mortgages, mobile app.",
    )
    level = forms.TypedChoiceField(choices=Level.choices, coerce=int, initial=Level.PRACTISED)


class NewSkillForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX, label="Name")
    description = forms.CharField(
        max_length=actions.DESCRIPTION_MAX,
        required=False,
        help_text="What someone with this skill can answer.",
    )


def _filter_id(request: HttpRequest, name: str) -> str:
    value = request.GET.get(name, "")
    return value if parse_id(value) is not None else ""


def _people_page(
    request: HttpRequest, membership: Membership, skill_form: NewSkillForm | None = None
) -> HttpResponse:
    q = search_term(request)
    skill_id, team_id = _filter_id(request, "skill"), _filter_id(request, "team")
    skill = selectors.access_skill(membership, skill_id) if skill_id else None
    team = access_team(membership, team_id) if team_id else None
    members = paginate(request, selectors.people(membership, search=q, skill=skill, team=team))
    context = {
        "q": q,
        "page": members,
        "skill": skill,
        "team": team,
        "teams": core_selectors.workspace_teams(membership).prefetch_related("members__user"),
        "skills": selectors.workspace_skills(membership),
        "skill_form": skill_form or NewSkillForm(),
        "can_add_skills": can(membership, Verb.ADD_SKILLS),
    }
    return render_page(
        request,
        membership,
        "web/people/index.html",
        context,
        section="people",
        partial="web/people/_members.html",
        status=400 if skill_form is not None and skill_form.errors else 200,
    )


@member_view
def people(request: HttpRequest, slug: str) -> HttpResponse:
    """Members with teams and skills: search, filter by skill or team; the skills and teams."""
    membership = access_workspace(request.user, slug)
    return _people_page(request, membership)


@member_view
@require_POST
def skill_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = NewSkillForm(request.POST)
    if form.is_valid():
        try:
            skill = actions.create_skill(membership, **form.cleaned_data)
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, f"Skill “{skill.name}” added.")
            return redirect("web:people", slug=slug)
    return _people_page(request, membership, skill_form=form)


@member_view
@require_POST
def skill_delete(request: HttpRequest, slug: str, skill_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    skill = selectors.access_skill(membership, skill_id)
    actions.delete_skill(membership, skill)
    messages.success(request, f"Skill “{skill.name}” deleted; nobody carries it any more.")
    return redirect("web:people", slug=slug)


def _profile_page(
    request: HttpRequest,
    membership: Membership,
    member_id: int,
    form: SkillForm | None = None,
) -> HttpResponse:
    person = selectors.profile(membership, member_id)
    can_edit = (person.pk == membership.pk and can(membership, Verb.OWN_SKILLS)) or (
        can(membership, Verb.OTHERS_SKILLS)
    )
    return render_page(
        request,
        membership,
        "web/people/member.html",
        {
            "person": person,
            "held": list(person.skills.all()),
            "can_edit": can_edit,
            "form": form or SkillForm(),
            "known_skills": selectors.workspace_skills(membership),
            "levels": Level.choices,
            "kudos": recognition_pages.kudos_lines(recognition_pages.recent_kudos(person)),
            "sees_recognition": can_see(membership, person),
        },
        section="people",
        partial="web/people/_member_skills.html",
        status=400 if form is not None and form.errors else 200,
    )


@member_view
def member(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    """A member's profile: title, role, teams and skills; they (or a manager) edit the skills."""
    membership = access_workspace(request.user, slug)
    return _profile_page(request, membership, member_id)


@member_view
@require_POST
def member_skill_set(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    person = selectors.profile(membership, member_id)
    form = SkillForm(request.POST)
    if form.is_valid():
        try:
            held = actions.set_member_skill(
                membership,
                person,
                skill=form.cleaned_data["name"],
                level=form.cleaned_data["level"],
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            if not is_fragment(request):
                messages.success(request, f"{held.skill.name}: {held.get_level_display()}.")
                return redirect("web:people_member", slug=slug, member_id=person.pk)
            return _profile_page(request, membership, person.pk)
    return _profile_page(request, membership, person.pk, form=form)


@member_view
@require_POST
def member_skill_remove(
    request: HttpRequest, slug: str, member_id: int, skill_id: int
) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    person = selectors.profile(membership, member_id)
    skill = selectors.access_skill(membership, skill_id)
    try:
        actions.remove_member_skill(membership, person, skill)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    if is_fragment(request):
        return _profile_page(request, membership, person.pk)
    return redirect("web:people_member", slug=slug, member_id=person.pk)
