"""Settings: the workspace's name, its members and roles, your API tokens."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from rapport.core import actions, selectors
from rapport.core.access import access_in_workspace, access_member, access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can
from rapport.web.forms import (
    ROLE_HELP_ROWS,
    AddMemberForm,
    RoleForm,
    TokenForm,
    WorkspaceForm,
    role_choices,
)
from rapport.web.views.common import (
    add_action_errors,
    member_view,
    paginate,
    render_page,
    search_term,
)


@member_view
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    return redirect("web:settings_workspace", slug=membership.workspace.slug)


@member_view
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = WorkspaceForm(request.POST or None, initial={"name": membership.workspace.name})
    if request.method == "POST" and form.is_valid():
        try:
            actions.rename_workspace(membership, name=form.cleaned_data["name"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, "The workspace is renamed.")
            return redirect("web:settings_workspace", slug=slug)
    return render_page(
        request,
        membership,
        "web/settings/workspace.html",
        {"form": form},
        section="settings",
        subsection="settings_workspace",
        status=400 if form.errors else 200,
    )


@member_view
def members(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = AddMemberForm(request.POST or None, actor=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            added = actions.add_member(
                membership,
                email=data["email"],
                role=data["role"],
                full_name=data["full_name"],
                title=data["title"],
                password=data["password"] or None,
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, f"{added.user.email} is now a member.")
            return redirect("web:settings_members", slug=slug)
    q = search_term(request)
    return render_page(
        request,
        membership,
        "web/settings/members.html",
        {
            "form": form,
            "q": q,
            "page": paginate(request, selectors.workspace_members(membership, search=q)),
            "role_help": ROLE_HELP_ROWS,
            "role_choices": role_choices(membership),
            "is_owner": can(membership, Verb.OWNERS),
        },
        section="settings",
        subsection="settings_members",
        partial="web/settings/_members.html",
        status=400 if form.errors else 200,
    )


def _who(member: Membership) -> str:
    return member.user.full_name or member.user.email


@require_POST
@member_view
def member_role(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    member = access_member(membership, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
    else:
        try:
            actions.change_role(membership, member, role=form.cleaned_data["role"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, f"{_who(member)} is now {member.get_role_display()}.")
    return redirect("web:settings_members", slug=slug)


@require_POST
@member_view
def member_remove(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    member = access_member(membership, member_id)
    who = _who(member)
    try:
        actions.remove_member(membership, member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"{who} is no longer a member.")
    return redirect("web:settings_members", slug=slug)


@member_view
def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    """Your own API tokens in this workspace. A new token's secret is shown once, here."""
    membership = access_workspace(request.user, slug)
    form = TokenForm(request.POST or None)
    raw = ""
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = actions.create_api_token(membership, name=form.cleaned_data["name"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, f"Token “{token.name}” created.")
            form = TokenForm()
    response = render_page(
        request,
        membership,
        "web/settings/tokens.html",
        {"form": form, "raw_token": raw, "tokens": selectors.api_tokens(membership)},
        section="settings",
        subsection="settings_tokens",
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@require_POST
@member_view
def token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    # Only your own tokens are listed here, so only your own can be revoked from here.
    token = access_in_workspace(
        membership, selectors.api_tokens(membership), token_id, field="membership__workspace"
    )
    actions.revoke_api_token(membership, token)
    messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
    return redirect("web:settings_tokens", slug=slug)
