"""My work: each person's open case tasks (completed in one click), the approvals they may
decide (approve or reject with a comment, right there), the approvals they asked for, the cases
they watch, and their delegation while away. A back-office person does their whole part here."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from rapport.approvals import actions as approval_actions
from rapport.approvals import delegations, selectors
from rapport.approvals.models import Approval
from rapport.cases import actions as case_actions
from rapport.cases import my_work
from rapport.cases.access import access_task
from rapport.cases.models import Case
from rapport.core.access import access_member, access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can
from rapport.core.roles import Role
from rapport.web.views.common import is_fragment, member_view, render_page, search_term

PER_PAGE = 10
SECTIONS = {
    "tasks": "web/mywork/_tasks.html",
    "decide": "web/mywork/_decide.html",
    "requested": "web/mywork/_requested.html",
    "watched": "web/mywork/_watched.html",
}


class DelegationForm(forms.Form):
    delegate = forms.IntegerField(label="Who decides for you")
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(
        label="Until (inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )


def _with_subjects(membership: Membership, approvals: list[Approval]) -> None:
    """Each approval's link (its case, or the Approvals page) and whether the viewer decides."""
    prefetch_related_objects(approvals, "attachments")
    case_ids = [
        a.object_id
        for a in approvals
        if (a.content_type.app_label, a.content_type.model) == ("cases", "case")
    ]
    cases = {c.pk: c for c in Case.objects.filter(workspace=membership.workspace, pk__in=case_ids)}
    slug = membership.workspace.slug
    for approval in approvals:
        case = cases.get(approval.object_id) if approval.object_id in case_ids else None
        approval.case = case  # type: ignore[attr-defined]
        approval.link = (  # type: ignore[attr-defined]
            reverse("web:case", args=[slug, case.pk])
            if case
            else reverse("web:approvals", args=[slug]) + f"#approval-{approval.pk}"
        )
        decidable = (
            approval.state == Approval.State.PENDING
            and not approval.is_expired
            and approval.may_decide(membership)
        )
        approval.decidable = decidable  # type: ignore[attr-defined]
        approval.on_behalf = (  # type: ignore[attr-defined]
            approval.stands_in_for(membership)
            if decidable and not approval.asked_directly(membership)
            else None
        )


def _page(request: HttpRequest, name: str, items: Any) -> Page:
    """Each section of My work pages on its own (`tasks_page`, `decide_page`, ...)."""
    page = Paginator(items, PER_PAGE).get_page(request.GET.get(f"{name}_page"))
    page.object_list = list(page.object_list)
    return page


def context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    q = search_term(request)
    tasks = my_work.open_tasks(membership)
    watched = my_work.watched_cases(membership)
    if q:
        tasks = tasks.filter(Q(title__icontains=q) | Q(case__subject__icontains=q))
        watched = watched.filter(Q(subject__icontains=q) | Q(description__icontains=q))
    decide = _page(request, "decide", selectors.approvals(membership, state="pending", q=q))
    requested = _page(
        request,
        "requested",
        selectors.approvals(membership, state="all", scope="requested", q=q),
    )
    _with_subjects(membership, [*decide.object_list, *requested.object_list])
    return {
        "q": q,
        "tasks": _page(request, "tasks", tasks),
        "decide": decide,
        "requested": requested,
        "watched": _page(request, "watched", watched),
        "delegations": list(delegations.delegations_of(membership)),
        "delegation_form": DelegationForm(),
        "colleagues": Membership.objects.filter(workspace=membership.workspace)
        .exclude(pk=membership.pk)
        .exclude(role=Role.VIEWER)
        .select_related("user")
        .order_by("user__full_name", "user__email"),
        "can_delegate": can(membership, Verb.DELEGATE),
    }


@member_view
def my_work_page(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    section = request.GET.get("section", "")
    return render_page(
        request,
        membership,
        "web/mywork/index.html",
        context(request, membership),
        section="my_work",
        partial=SECTIONS.get(section, "web/mywork/_lists.html"),
    )


def _answer(
    request: HttpRequest, membership: Membership, section: str, note: str, ok: bool
) -> HttpResponse:
    """htmx gets the section again with the outcome in it; a plain form goes back."""
    if is_fragment(request):
        ctx = context(request, membership)
        ctx.update({"note": note, "note_ok": ok})
        return render_page(
            request,
            membership,
            SECTIONS[section],
            ctx,
            section="my_work",
            partial=SECTIONS[section],
        )
    (messages.success if ok else messages.error)(request, note)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:my_work", slug=membership.workspace.slug)


@member_view
@require_POST
def complete_task(request: HttpRequest, slug: str, task_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    task = access_task(membership, task_id)
    try:
        case_actions.update_task(membership, task, status="done")
    except ValidationError as error:
        text = " ".join(error.messages)
        return _answer(request, membership, "tasks", f"“{task.title}” not completed: {text}", False)
    return _answer(
        request, membership, "tasks", f"“{task.title}” is done (case #{task.case_id}).", True
    )


@member_view
@require_POST
def decide(request: HttpRequest, slug: str, approval_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    approval = selectors.access_approval(membership, approval_id)
    decision = request.POST.get("decision", "")
    comment = request.POST.get("comment", "")[: approval_actions.MAX_COMMENT + 1]
    try:
        decided = approval_actions.decide(membership, approval, decision=decision, comment=comment)
    except approval_actions.ApprovalExpired as expired:
        approval_actions.expire(approval)
        return _answer(request, membership, "decide", expired.messages[0], False)
    except ValidationError as error:
        return _answer(request, membership, "decide", " ".join(error.messages), False)
    except PermissionDenied as error:
        return _answer(request, membership, "decide", str(error), False)
    word = decided.get_state_display().lower()
    behalf = f" on behalf of {decided.on_behalf_of.user}" if decided.on_behalf_of else ""
    return _answer(request, membership, "decide", f"“{decided.summary}” {word}{behalf}.", True)


@member_view
@require_POST
def delegate(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = DelegationForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}"
            for f, e in form.errors.items()
            if f in form.fields
        )
        messages.error(request, f"Not delegated: {problems}")
        return redirect("web:my_work", slug=slug)
    data = form.cleaned_data
    try:
        row = delegations.delegate(
            membership,
            to=access_member(membership, data["delegate"]),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
        )
    except ValidationError as error:
        messages.error(request, "Not delegated: " + " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{row.delegate.user} decides your approvals from {row.starts_on:%-d %b} to "
            f"{row.ends_on:%-d %b %Y}.",
        )
    return redirect("web:my_work", slug=slug)


@member_view
@require_POST
def end_delegation(request: HttpRequest, slug: str, delegation_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    row = delegations.access_delegation(membership, delegation_id)
    try:
        delegations.end_delegation(membership, row)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Delegation to {row.delegate.user} ended; you decide again.")
    return redirect("web:my_work", slug=slug)
