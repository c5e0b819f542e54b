"""Signing in and out, and finding the workspace to land in."""

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers

from rapport.core import selectors
from rapport.core.access import access_workspace
from rapport.core.models import DEMO_WORKSPACE_SLUG, Workspace
from rapport.core.roles import Role
from rapport.web.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["demo_available"] = Workspace.objects.filter(slug=DEMO_WORKSPACE_SLUG).exists()
        return context


login = LoginView.as_view()
logout = auth_views.LogoutView.as_view()


def home(request: HttpRequest) -> HttpResponse:
    """The last workspace this person used, or their first; the login page for strangers."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    memberships = list(selectors.memberships_of(request.user))
    last = request.session.get("workspace")
    chosen = next((m for m in memberships if m.workspace.slug == last), None)
    if chosen is None and memberships:
        chosen = memberships[0]
    if chosen is None:
        response = render(request, "web/no_workspace.html", status=200)
        add_never_cache_headers(response)
        return response
    # Back-office employees work tasks and approvals, not the inbox: they land on My work.
    landing = "web:my_work" if chosen.role == Role.EMPLOYEE else "web:inbox"
    return redirect(landing, slug=chosen.workspace.slug)


def switch(request: HttpRequest) -> HttpResponse:
    """The workspace switcher's target, for browsers without JavaScript too."""
    if not request.user.is_authenticated:
        return redirect("web:login")
    membership = access_workspace(request.user, request.GET.get("workspace", ""))
    return redirect("web:workspace", slug=membership.workspace.slug)
