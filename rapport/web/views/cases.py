"""Cases: the list (filters, search, pages, a form to open one) and a case's page (status with
the transitions allowed now, tasks, comments, the conversation it came from)."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.cases import actions, selectors
from rapport.cases.access import access_case, access_task
from rapport.cases.models import Case, Priority, Status, Task
from rapport.core.access import access_member, access_workspace
from rapport.core.models import Membership, Team
from rapport.inbox.access import access_conversation
from rapport.web.views.common import add_action_errors, member_view, render_page, search_term

PER_PAGE = 25


class CaseForm(forms.Form):
    subject = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    priority = forms.ChoiceField(
        choices=[(label.lower(), label) for _, label in Priority.choices], initial="normal"
    )


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    assignee = forms.CharField(required=False)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000)
    public = forms.BooleanField(required=False)


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
        qs = selectors.filter_cases(membership, **filters)
    except ValidationError as exc:
        error = " ".join(exc.messages)
        qs = Case.objects.none()
    qs = (
        qs.select_related("owner__user", "team", "customer")
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__status=Task.State.OPEN)))
        .order_by("-updated_at", "-id")
    )
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    any_case = Case.objects.filter(workspace=membership.workspace).exists()
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
            "form": form or CaseForm(),
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
    form = CaseForm(request.POST)
    if form.is_valid():
        try:
            case = actions.create_case(membership, **form.cleaned_data)
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
    status: int = 200,
) -> HttpResponse:
    detail = selectors.case_detail(membership, case)
    context: dict[str, Any] = {
        "case": case,
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
