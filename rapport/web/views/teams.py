"""Settings → Teams: create, rename and delete teams; add and remove their members."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.core import actions, selectors
from rapport.core.access import access_member, access_team, access_workspace
from rapport.web.forms import TeamForm, TeamMemberForm
from rapport.web.views.common import (
    add_action_errors,
    member_view,
    paginate,
    render_page,
    search_term,
)


@member_view
def teams(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = actions.create_team(
                membership,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, f"Team “{team.name}” created.")
            return redirect("web:settings_teams", slug=slug)
    q = search_term(request)
    return render_page(
        request,
        membership,
        "web/settings/teams.html",
        {"form": form, "q": q, "page": paginate(request, selectors.workspace_teams(membership, q))},
        section="settings",
        subsection="settings_teams",
        partial="web/settings/_teams.html",
        status=400 if form.errors else 200,
    )


@member_view
def team(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    """One team: its members, and (for managers) renaming it and changing who is in it."""
    membership = access_workspace(request.user, slug)
    the_team = access_team(membership, team_id)
    initial = {"name": the_team.name, "description": the_team.description}
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_team(
                membership,
                the_team,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ValidationError as e:
            add_action_errors(form, e)
            the_team.refresh_from_db()
        else:
            messages.success(request, "Team saved.")
            return redirect("web:settings_team", slug=slug, team_id=the_team.pk)
    in_team = the_team.members.select_related("user").order_by("user__full_name", "user__email")
    candidates = selectors.workspace_members(membership).exclude(teams=the_team)
    return render_page(
        request,
        membership,
        "web/settings/team.html",
        {"team": the_team, "form": form, "in_team": in_team, "candidates": candidates},
        section="settings",
        subsection="settings_teams",
        status=400 if form.errors else 200,
    )


@require_POST
@member_view
def team_delete(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    the_team = access_team(membership, team_id)
    name = the_team.name
    actions.delete_team(membership, the_team)
    messages.success(request, f"Team “{name}” deleted.")
    return redirect("web:settings_teams", slug=slug)


@require_POST
@member_view
def team_add_member(request: HttpRequest, slug: str, team_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    the_team = access_team(membership, team_id)
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose someone to add.")
        return redirect("web:settings_team", slug=slug, team_id=the_team.pk)
    member = access_member(membership, form.cleaned_data["member"])
    try:
        actions.add_team_member(membership, the_team, member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        who = member.user.full_name or member.user.email
        messages.success(request, f"{who} joined {the_team.name}.")
    return redirect("web:settings_team", slug=slug, team_id=the_team.pk)


@require_POST
@member_view
def team_remove_member(
    request: HttpRequest, slug: str, team_id: int, member_id: int
) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    the_team = access_team(membership, team_id)
    member = access_member(membership, member_id)
    actions.remove_team_member(membership, the_team, member)
    who = member.user.full_name or member.user.email
    messages.success(request, f"{who} left {the_team.name}.")
    return redirect("web:settings_team", slug=slug, team_id=the_team.pk)
