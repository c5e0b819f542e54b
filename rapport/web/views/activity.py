"""Activity: who is working on what, across every case of the workspace, newest first,
filterable by team and customer (the cases' activity lines, read off an index)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse

from rapport.cases import selectors
from rapport.contacts.models import Contact
from rapport.core.access import access_workspace
from rapport.core.ids import parse_id
from rapport.core.models import Team
from rapport.web.views.cases import page_number
from rapport.web.views.common import member_view, render_page


@member_view
def activity(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    filters = {"team": request.GET.get("team", ""), "customer": request.GET.get("customer", "")}
    error = ""
    try:
        page = selectors.workspace_activity(
            membership,
            team=filters["team"],
            customer=filters["customer"],
            page=page_number(request),
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
        page = selectors.ActivityPage(
            items=[], page=1, per_page=selectors.ACTIVITY_PAGE, has_next=False
        )
    customer = None
    if (customer_id := parse_id(filters["customer"])) is not None:
        customer = Contact.objects.filter(workspace=membership.workspace, pk=customer_id).first()
    return render_page(
        request,
        membership,
        "web/activity/index.html",
        {
            "page": page,
            "filters": filters,
            "error": error,
            "customer": customer,
            "teams": Team.objects.filter(workspace=membership.workspace).order_by("name"),
        },
        section="activity",
        partial="web/activity/_list.html",
    )
