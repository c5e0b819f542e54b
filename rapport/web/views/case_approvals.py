"""The case page's approvals panel: ask a person, a role or a team to approve (with an amount,
a reason and files), see each approval's state and decision, and decide right there."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from rapport.approvals import actions as approval_actions
from rapport.approvals import attachments as files
from rapport.approvals import selectors
from rapport.approvals.models import ApprovalAttachment
from rapport.cases.access import access_case
from rapport.cases.approvals import CLOSED_TO_APPROVALS, request_case_approval
from rapport.cases.models import Case
from rapport.core.access import access_member, access_team, access_workspace
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, can
from rapport.core.roles import Role
from rapport.web.views.common import member_view

#: The roles an approval may be asked of, highest first (viewers change nothing).
ROLES = [(r.value, r.label) for r in Role if r != Role.VIEWER]


class ApprovalRequestForm(forms.Form):
    approver = forms.CharField(
        label="Ask",
        help_text="A person, a role (anyone holding it or above) or a team (anyone in it)",
    )
    amount = forms.CharField(
        required=False,
        max_length=30,
        label="Amount",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1250.00"}),
    )
    reason = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Reason",
        help_text="Why it needs an approval; the approver reads it",
    )
    attachment = forms.FileField(
        required=False,
        label="Attachment",
        help_text=f"PDF, image, text or office file, up to {files.MAX_BYTES // 1024 // 1024} MB",
    )


def _parse_approver(
    membership: Membership, value: str
) -> tuple[Membership | None, str, Team | None]:
    """ "member:12", "role:manager" or "team:3" (the form's select) -> the approver arguments."""
    kind, _, ident = (value or "").partition(":")
    if kind == "member":
        return access_member(membership, ident), "", None
    if kind == "team":
        return None, "", access_team(membership, ident)
    if kind == "role" and ident in dict(ROLES):
        return None, ident, None
    raise ValidationError({"approver": "Choose whom to ask: a person, a role or a team."})


def approver_choices(membership: Membership) -> dict[str, Any]:
    members = (
        Membership.objects.filter(workspace=membership.workspace)
        .exclude(pk=membership.pk)
        .exclude(role=Role.VIEWER)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    teams = Team.objects.filter(workspace=membership.workspace).order_by("name")
    return {"approver_members": members, "approver_teams": teams, "approver_roles": ROLES}


def panel(
    membership: Membership, case: Case, form: ApprovalRequestForm | None = None
) -> dict[str, Any]:
    approvals = list(selectors.of_object(membership, case))
    for approval in approvals:
        approval.decidable = (  # type: ignore[attr-defined]
            approval.state == approval.State.PENDING
            and not approval.is_expired
            and approval.may_decide(membership)
        )
    pending = any(a.state == a.State.PENDING for a in approvals)
    return {
        "case_approvals": approvals,
        "approval_form": form or ApprovalRequestForm(),
        "approval_can_request": can(membership, Verb.ASK_APPROVAL)
        and not pending
        and case.status not in CLOSED_TO_APPROVALS,
        "approval_pending": pending,
        **approver_choices(membership),
    }


@member_view
@require_POST
def request_approval(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    case = access_case(membership, case_id)
    form = ApprovalRequestForm(request.POST, request.FILES)
    back = redirect("web:case", slug=slug, case_id=case.pk)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "The form"
            messages.error(request, f"Not asked: {label}: {' '.join(str(e) for e in errors)}")
        return back
    data = form.cleaned_data
    try:
        approver, role, team = _parse_approver(membership, data["approver"])
        approval = request_case_approval(
            membership,
            case,
            approver=approver,
            approver_role=role,
            approver_team=team,
            amount=data["amount"],
            reason=data["reason"],
            attachments=[data["attachment"]] if data["attachment"] else [],
        )
    except ValidationError as error:
        messages.error(request, "Not asked: " + " ".join(error.messages))
    except Http404:
        messages.error(request, "Not asked: that person or team is not in this workspace.")
    else:
        messages.success(
            request, f"Asked {approval.asked_of} to approve; the case waits on the decision."
        )
    return redirect(reverse("web:case", args=[slug, case.pk]) + "#approvals-title")


@member_view
@require_POST
def withdraw(request: HttpRequest, slug: str, approval_id: int) -> HttpResponse:
    """The requester takes a pending request back; the case stops waiting on it."""
    membership = access_workspace(request.user, slug)
    approval = selectors.access_approval(membership, approval_id)
    try:
        approval_actions.withdraw(membership, approval, comment=request.POST.get("comment", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{approval.summary}” withdrawn.")
    if approval.content_type.app_label == "cases":
        return redirect(reverse("web:case", args=[slug, approval.object_id]) + "#approvals-title")
    return redirect("web:approvals", slug=slug)


def access_attachment(
    membership: Membership, approval_id: int, attachment_id: int
) -> ApprovalAttachment:
    """A file of an approval the member may see: any of their workspace's case approvals, or
    one they may see on the Approvals page; another workspace's is a 404."""
    visible = selectors.visible(membership).values("pk")
    found = (
        ApprovalAttachment.objects.filter(
            workspace=membership.workspace, approval_id=approval_id, pk=attachment_id
        )
        .filter(
            Q(approval__in=visible)
            | Q(approval__content_type__app_label="cases", approval__content_type__model="case")
        )
        .first()
    )
    if found is None:
        raise Http404("No such attachment")
    return found


@member_view
@require_GET
def attachment(
    request: HttpRequest, slug: str, approval_id: int, attachment_id: int
) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_attachment(membership, approval_id, attachment_id)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is no longer stored") from None
    response = FileResponse(
        handle, as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response  # type: ignore[return-value]  # streamed; member_view only adds headers
