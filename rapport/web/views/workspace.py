"""The workspace's landing page: where each role starts."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from rapport.core.access import access_workspace
from rapport.core.roles import Role
from rapport.web.views.common import member_view


@member_view
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    # Back-office employees work tasks and approvals, not the inbox: they land on My work.
    landing = "web:my_work" if membership.role == Role.EMPLOYEE else "web:inbox"
    return redirect(landing, slug=membership.workspace.slug)
