"""Settings → Playbooks (each case type's BPMN playbook: upload a new version, with the problems
of a refused file listed by element and line; switch one off), and the case panel's forms to
start or cancel a run."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.cases.access import access_case
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.playbooks import actions, selectors
from rapport.playbooks.access import access_playbook, access_step
from rapport.playbooks.models import PlaybookRun
from rapport.playbooks.uploads import upload_files
from rapport.playbooks.validate import MAX_DMN_FILES, PlaybookInvalid, Problem
from rapport.web.views.common import PER_PAGE, member_view, render_page, search_term


def _admin(request: HttpRequest, slug: str) -> Membership:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.PLAYBOOKS)
    return membership


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    problems: list[Problem] | None = None,
    failed_type: int | None = None,
    status: int = 200,
) -> HttpResponse:
    q = search_term(request)
    rows = selectors.case_types_with_playbooks(membership)
    if q:
        rows = [r for r in rows if q.lower() in r["case_type"].name.lower()]
    return render_page(
        request,
        membership,
        "web/playbooks/index.html",
        {
            "q": q,
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "case_types": [r["case_type"] for r in selectors.case_types_with_playbooks(membership)],
            "problems": problems or [],
            "failed_type": failed_type,
            "max_dmn": MAX_DMN_FILES,
        },
        section="settings",
        subsection="settings_playbooks",
        partial="web/playbooks/_list.html",
        status=status,
    )


@member_view
def index(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _admin(request, slug))


@member_view
@require_POST
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _admin(request, slug)
    type_id = request.POST.get("case_type", "")
    try:
        playbook = upload_files(
            membership, type_id, request.FILES.get("bpmn"), request.FILES.getlist("dmn")
        )
    except PlaybookInvalid as invalid:
        return _page(
            request,
            membership,
            problems=invalid.problems,
            failed_type=int(type_id) if str(type_id).isdigit() else None,
            status=400,
        )
    except ValidationError as error:
        return _page(request, membership, problems=[Problem(m) for m in error.messages], status=400)
    messages.success(
        request,
        f"{playbook} is now the playbook of “{playbook.case_type.name}”: cases of this type "
        "follow it when they are opened.",
    )
    return redirect("web:settings_playbooks", slug=slug)


@member_view
@require_POST
def deactivate(request: HttpRequest, slug: str, playbook_id: int) -> HttpResponse:
    membership = _admin(request, slug)
    playbook = access_playbook(membership, playbook_id)
    actions.deactivate_playbook(membership, playbook)
    messages.success(
        request,
        f"{playbook} is switched off; cases already following it go on.",
    )
    return redirect("web:settings_playbooks", slug=slug)


@member_view
@require_POST
def case_playbook_start(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    case = access_case(membership, case_id)
    chosen = request.POST.get("playbook")
    try:
        playbook = access_playbook(membership, chosen) if chosen else None
        run = actions.start_run(membership, case, playbook=playbook)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if run.status == PlaybookRun.Status.FAILED:
            messages.error(request, f"The playbook could not start: {run.error}")
        else:
            messages.success(request, f"The playbook {run.playbook.name} is running.")
    return redirect("web:case", slug=slug, case_id=case.pk)


@member_view
@require_POST
def case_playbook_cancel(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    case = access_case(membership, case_id)
    run = selectors.run_of(case)
    try:
        if run is None:
            raise ValidationError("No playbook runs on this case.")
        actions.cancel_run(membership, run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The playbook is cancelled; its open tasks stay on the case.")
    return redirect("web:case", slug=slug, case_id=case.pk)


@member_view
@require_POST
def case_playbook_step(request: HttpRequest, slug: str, step_id: int) -> HttpResponse:
    """A step completed with its form (the case panel's form for the step waiting now)."""
    membership = access_workspace(request.user, slug)
    step = access_step(membership, step_id)
    values = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    try:
        actions.submit_step(membership, step, values=values)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{step.name}” done; the playbook goes on.")
    return redirect("web:case", slug=slug, case_id=step.run.case_id)


@member_view
@require_POST
def case_playbook_retry(request: HttpRequest, slug: str, case_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    case = access_case(membership, case_id)
    run = selectors.run_of(case)
    try:
        if run is None:
            raise ValidationError("No playbook runs on this case.")
        run = actions.retry_run(membership, run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if run.status == PlaybookRun.Status.FAILED:
            messages.error(request, f"The playbook stopped again: {run.error}")
        else:
            messages.success(request, "The playbook goes on.")
    return redirect("web:case", slug=slug, case_id=case.pk)
