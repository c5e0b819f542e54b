"""The workspace's approval timers (Approvals page, admins): how long a pending approval waits
before its approvers are reminded, and before it is escalated above them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.approvals import reminders
from rapport.core.access import access_workspace
from rapport.web.views.common import member_view


@member_view
@require_POST
def timers(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    try:
        saved = reminders.set_timers(
            membership,
            remind_after_hours=request.POST.get("remind_after_hours", ""),
            escalate_after_hours=request.POST.get("escalate_after_hours", ""),
        )
    except ValidationError as error:
        messages.error(request, "Timers not changed: " + " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Pending approvals are now reminded after {saved.remind_after_hours} hours and "
            f"escalated after {saved.escalate_after_hours}.",
        )
    return redirect("web:approvals", slug=slug)
