"""Approvals: what waits for the signed-in member's decision, with the draft and its context."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.approvals import actions, reminders, selectors
from rapport.approvals.models import Approval
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.engagement.models import Reply
from rapport.engagement.policy import Finding, network_label
from rapport.web.views.common import member_view, paginate, render_page, search_term

STATES = [
    ("pending", "Pending"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
    ("all", "All"),
]
SCOPES = [("to_decide", "Asked of me"), ("requested", "Asked by me")]


def _with_subjects(membership: Membership, approvals: list[Approval]) -> None:
    """Attaches each approval's subject for its template: replies with their post, in one query."""
    reply_ids = [
        a.object_id
        for a in approvals
        if (a.content_type.app_label, a.content_type.model) == ("engagement", "reply")
    ]
    replies = {
        r.pk: r
        for r in Reply.objects.filter(
            workspace=membership.workspace, pk__in=reply_ids
        ).select_related("post", "author__user")
    }
    for approval in approvals:
        reply = replies.get(approval.object_id) if approval.object_id in reply_ids else None
        approval.reply = reply  # type: ignore[attr-defined]
        if reply is not None:
            reply.finding_list = [Finding.from_dict(f) for f in reply.findings]  # type: ignore[attr-defined]
            reply.network_label = network_label(reply.network)  # type: ignore[attr-defined]
        approval.decidable = approval.may_decide(membership)  # type: ignore[attr-defined]


@member_view
def approvals(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    state = request.GET.get("state", "pending")
    state = state if state in dict(STATES) else "pending"
    scope = request.GET.get("scope", "to_decide")
    scope = scope if scope in dict(SCOPES) else "to_decide"
    q = search_term(request)
    page = paginate(request, selectors.approvals(membership, state=state, scope=scope, q=q), 10)
    page.object_list = list(page.object_list)
    _with_subjects(membership, page.object_list)
    context: dict[str, Any] = {
        "page": page,
        "state": state,
        "scope": scope,
        "states": STATES,
        "scopes": SCOPES,
        "q": q,
        "pending_count": selectors.pending_count(membership),
        "timers": reminders.timers_for(membership.workspace),
    }
    return render_page(
        request,
        membership,
        "web/approvals/index.html",
        context,
        section="approvals",
        partial="web/approvals/_list.html",
    )


@require_POST
@member_view
def decide(request: HttpRequest, slug: str, approval_id: int) -> HttpResponse:
    """Approve (optionally with the draft edited) or reject with a reason."""
    membership = access_workspace(request.user, slug)
    approval = selectors.access_approval(membership, approval_id)
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")[: actions.MAX_COMMENT + 1]
    edits: dict[str, str] = {}
    text = request.POST.get("text")
    if decision == "approve" and text is not None and text.strip():
        reply = Reply.objects.filter(workspace=membership.workspace, pk=approval.object_id).first()
        if reply is not None and text.replace("\r\n", "\n").strip() != reply.text:
            edits["text"] = text
    back = reverse("web:approvals", args=[slug])
    try:
        actions.decide(membership, approval, decision=decision, comment=comment, edits=edits)
    except actions.ApprovalExpired as expired:
        actions.expire(approval)
        messages.error(request, expired.messages[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{back}#approval-{approval.pk}")
    else:
        verb = "approved" if decision == "approve" else "rejected"
        edited = " with your edits" if edits else ""
        messages.success(request, f"“{approval.summary}” {verb}{edited}.")
    return redirect(back)
