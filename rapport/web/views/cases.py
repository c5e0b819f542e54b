"""Cases: the list (filters, search, pages, a form to open one) and a case's page (status with
the transitions allowed now, tasks, comments, the conversation it came from, parent and child
cases, merging a duplicate, custom fields from the case type's schema, the public status link
and the case's activity stream)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.cases import actions, custom_fields, merge, public, selectors
from rapport.cases.access import access_case, access_case_type, access_public_link, access_task
from rapport.cases.models import Case, CaseType, Status
from rapport.core.access import access_member, access_workspace
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, can
from rapport.core.priority import Priority
from rapport.inbox.access import access_conversation
from rapport.web.views import case_approvals, case_playbook, case_sla, contact_profile
from rapport.web.views.common import add_action_errors, member_view, render_page, search_term

PER_PAGE = 25


class CaseForm(forms.Form):
    subject = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    priority = forms.ChoiceField(
        choices=[(label.lower(), label) for _, label in Priority.choices], initial="normal"
    )
    case_type = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Its details (custom fields) are filled in on the case's page.",
    )

    def __init__(self, *args: Any, workspace: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = CaseType.objects.filter(workspace=workspace).order_by("name") if workspace else []
        field = self.fields["case_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "No type")] + [(t.pk, t.name) for t in types]


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    assignee = forms.CharField(required=False)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    public = forms.BooleanField(required=False)


def page_number(request: HttpRequest, name: str = "page") -> int:
    try:
        return max(1, min(int(request.GET.get(name, 1)), 100_000))
    except (TypeError, ValueError):
        return 1


def _list_page(
    request: HttpRequest, membership: Membership, form: CaseForm | None = None, status: int = 200
) -> HttpResponse:
    filters = {
        "status": request.GET.get("status", ""),
        "team": request.GET.get("team", ""),
        "owner": request.GET.get("owner", ""),
        "q": search_term(request),
    }
    error = ""
    try:
        page = selectors.case_page(
            membership, page=page_number(request), per_page=PER_PAGE, **filters
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
        page = selectors.CasePage(items=[], count=0, page=1, per_page=PER_PAGE)
    any_case = bool(page.items) or Case.objects.filter(workspace=membership.workspace).exists()
    return render_page(
        request,
        membership,
        "web/cases/index.html",
        {
            "page": page,
            "filters": filters,
            "q": filters["q"],
            "error": error,
            "any_case": any_case,
            "statuses": Status.choices,
            "teams": Team.objects.filter(workspace=membership.workspace).order_by("name"),
            "form": form or CaseForm(workspace=membership.workspace),
        },
        section="cases",
        partial="web/cases/_list.html",
        status=status,
    )


@member_view
def cases(request: HttpRequest, slug: str) -> HttpResponse:
    return _list_page(request, access_workspace(request.user, slug))


@member_view
@require_POST
def case_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = CaseForm(request.POST, workspace=membership.workspace)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if data["case_type"] is not None:
            data["case_type"] = access_case_type(membership, data["case_type"])
        try:
            case = actions.create_case(membership, **data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Case #{case.pk} opened.")
            return redirect("web:case", slug=slug, case_id=case.pk)
    return _list_page(request, membership, form=form, status=400)


@member_view
@require_POST
def case_from_conversation(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    conv = access_conversation(membership, conversation_id)
    existing = Case.objects.filter(conversation=conv, status__in=selectors.OPEN_STATUSES).first()
    if existing is not None:
        messages.info(request, f"This conversation already has case #{existing.pk} open.")
        return redirect("web:case", slug=slug, case_id=existing.pk)
    try:
        case = actions.open_case_from_conversation(
            membership, conv, team=conv.team, owner=membership, priority=conv.priority
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:conversation", slug=slug, conversation_id=conv.pk)
    messages.success(request, f"Case #{case.pk} opened from this conversation.")
    return redirect("web:case", slug=slug, case_id=case.pk)


def _case_page(
    request: HttpRequest,
    membership: Membership,
    case: Case,
    *,
    task_form: TaskForm | None = None,
    comment_form: CommentForm | None = None,
    field_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = selectors.case_detail(membership, case)
    link = public.live_link(case)
    context: dict[str, Any] = {
        "activity": selectors.case_activity(
            membership, case, page=page_number(request, "activity_page")
        ),
        "public_link": link,
        "public_url": request.build_absolute_uri(reverse("web:status_page", args=[link.token]))
        if link
        else "",
        "field_errors": field_errors or [],
        "can_merge": can(membership, Verb.MERGE_CASES),
        "case": case,
        "contact_panel": contact_profile.panel(membership, case.customer),
        **case_sla.panel(membership, case),
        **case_approvals.panel(membership, case),
        **case_playbook.panel(membership, case),
        "detail": detail,
        "buttons": [
            (to, f"{name.capitalize()}: {Status(to).label.lower()}")
            for to, name in detail.transitions
        ],
        "task_form": task_form or TaskForm(),
        "comment_form": comment_form or CommentForm(),
        "members": Membership.objects.filter(workspace=membership.workspace)
        .select_related("user")
        .order_by("user__full_name", "user__email"),
    }
    if request.GET.get("activity_page") and getattr(request, "htmx", None):
        return render_page(
            request,
            membership,
            "web/cases/_activity.html",
            context,
            section="cases",
            partial="web/cases/_activity.html",
        )
    return render_page(
        request, membership, "web/cases/case.html", context, section="cases", status=status
    )


@member_view
def case(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    return _case_page(request, membership, access_case(membership, case_id))


@member_view
@require_POST
def case_transition(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    try:
        actions.transition(membership, found, to=request.POST.get("to", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Case #{found.pk} is now {found.get_status_display().lower()}.")
    return redirect("web:case", slug=slug, case_id=found.pk)


@member_view
@require_POST
def case_task_add(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    form = TaskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            assignee = access_member(membership, data["assignee"]) if data["assignee"] else None
            actions.add_task(
                membership,
                found,
                title=data["title"],
                assignee=assignee,
                due_date=data["due_date"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Task “{data['title']}” added.")
            return redirect("web:case", slug=slug, case_id=found.pk)
    return _case_page(request, membership, found, task_form=form, status=400)


@member_view
@require_POST
def case_task_status(request: HttpRequest, slug: str, task_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    task = access_task(membership, task_id)
    try:
        actions.update_task(membership, task, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("web:case", slug=slug, case_id=task.case_id)


@member_view
@require_POST
def case_comment(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            actions.add_comment(membership, found, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(
                request, "Update posted." if form.cleaned_data["public"] else "Comment added."
            )
            return redirect("web:case", slug=slug, case_id=found.pk)
    return _case_page(request, membership, found, comment_form=form, status=400)


def _back(slug: str, case: Case) -> HttpResponse:
    return redirect("web:case", slug=slug, case_id=case.pk)


def _case_id(value: str, what: str) -> int:
    try:
        return int(str(value).strip().lstrip("#"))
    except ValueError:
        raise ValidationError(f"Give the {what} as a case number, like 12.") from None


@member_view
@require_POST
def case_parent(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    """Makes the case a child of another (by number), or a case of its own (empty)."""
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    raw = request.POST.get("parent", "").strip()
    try:
        parent = access_case(membership, _case_id(raw, "parent")) if raw else None
        actions.update_case(membership, found, parent=parent)
    except Http404:
        messages.error(request, f"There is no case {raw} in this workspace.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Case #{found.pk} is now a child of case #{parent.pk}."
            if parent
            else f"Case #{found.pk} no longer has a parent.",
        )
    return _back(slug, found)


@member_view
@require_POST
def case_merge(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    """Merges this case (a duplicate) into the case numbered in `into`."""
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    raw = request.POST.get("into", "").strip()
    try:
        target = access_case(membership, _case_id(raw, "case to merge into"))
        merge.merge(membership, found, into=target)
    except Http404:
        messages.error(request, f"There is no case {raw} in this workspace.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Case #{found.pk} was merged into case #{target.pk}.")
        return _back(slug, target)
    return _back(slug, found)


@member_view
@require_POST
def case_unmerge(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    try:
        merge.unmerge(membership, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Case #{found.pk} is unmerged and back as it was.")
    return _back(slug, found)


@member_view
@require_POST
def case_fields(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    """Saves the custom fields, drawn and validated from the case type's schema."""
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    schema = found.case_type.schema if found.case_type else None
    values = {**found.custom_fields, **custom_fields.from_form(schema, request.POST)}
    for field in custom_fields.form_fields(schema, {}):  # an emptied input removes the field
        if field.kind != "checkbox" and not str(request.POST.get(f"cf_{field.name}", "")).strip():
            values.pop(field.name, None)
    try:
        actions.update_case(membership, found, custom_fields=values)
    except ValidationError as error:
        found.refresh_from_db()
        return _case_page(request, membership, found, field_errors=error.messages, status=400)
    messages.success(request, "Custom fields saved.")
    return _back(slug, found)


@member_view
@require_POST
def case_public_link(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_case(membership, case_id)
    public.create_public_link(membership, found)
    messages.success(request, "Public status link ready: copy it for the customer.")
    return _back(slug, found)


@member_view
@require_POST
def case_public_link_revoke(request: HttpRequest, slug: str, link_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    link = access_public_link(membership, link_id)
    try:
        public.revoke_public_link(membership, link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Public status link revoked; it no longer opens.")
    return redirect("web:case", slug=slug, case_id=link.case_id)
