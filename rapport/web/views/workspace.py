"""The workspace's main pages. Domains without data yet show what they will hold and why."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from rapport.core.access import access_workspace
from rapport.core.roles import Role
from rapport.web.views.common import View, member_view, render_page


@member_view
def workspace(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    # Back-office employees work tasks and approvals, not the inbox: they land on My work.
    landing = "web:my_work" if membership.role == Role.EMPLOYEE else "web:inbox"
    return redirect(landing, slug=membership.workspace.slug)


def _domain_page(section: str) -> View:
    """A page whose domain has no screens yet: its template explains what will appear."""

    @member_view
    def page(request: HttpRequest, slug: str) -> HttpResponse:
        membership = access_workspace(request.user, slug)
        return render_page(request, membership, f"web/{section}/index.html", section=section)

    page.__name__ = page.__qualname__ = section
    return page


inbox = _domain_page("inbox")
ideas = _domain_page("ideas")
insights = _domain_page("insights")
