"""Contacts: the list (search, tier/segment/owner filters, pages, export of what is shown) and
imports (upload with a mapping, columns for a custom file, the dry run's row errors, a
progress bar while the background task runs, then "import" for real)."""

from collections.abc import Iterator
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from rapport.contacts import export, selectors
from rapport.contacts.access import access_import
from rapport.contacts.imports import jobs, upload
from rapport.contacts.imports.mappings import CONTACT_IMPORT_FIELDS, PRESETS
from rapport.contacts.imports.readers import FileProblem, max_bytes, size_label
from rapport.contacts.models import Contact, ImportJob, Tier
from rapport.core import spreadsheet
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, refusal
from rapport.web.views.common import member_view, render_page, search_term

PER_PAGE = 25
ERRORS_SHOWN = 500


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 100_000))
    except (TypeError, ValueError):
        return 1


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        "q": search_term(request),
        "tier": request.GET.get("tier", ""),
        "segment": request.GET.get("segment", "").strip()[:100],
        "owner": request.GET.get("owner", ""),
    }


@member_view
def contacts(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    filters = _filters(request)
    error = ""
    try:
        page = selectors.contact_page(
            membership, page=_page_number(request), per_page=PER_PAGE, **filters
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
        page = selectors.ContactPage(items=[], count=0, page=1, per_page=PER_PAGE)
    for contact, found in zip(
        page.items, selectors.identities_of(page.items).values(), strict=True
    ):
        contact.network_identities = found  # type: ignore[attr-defined]
    any_contact = (
        bool(page.items) or Contact.objects.filter(workspace=membership.workspace).exists()
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render_page(
        request,
        membership,
        "web/contacts/index.html",
        {
            "page": page,
            "filters": filters,
            "q": filters["q"],
            "error": error,
            "any_contact": any_contact,
            "tiers": Tier.choices,
            "export_query": query.urlencode(),
            "can_import": can(membership, Verb.IMPORT_CONTACTS),
            "has_profile": _has_profile(),
        },
        section="contacts",
        partial="web/contacts/_list.html",
    )


def _has_profile() -> bool:
    from django.urls import NoReverseMatch

    try:
        reverse("web:contact", args=["x", 1])
    except NoReverseMatch:
        return False
    return True


@member_view
def contacts_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The contacts the list shows (same search and filters), as CSV or vCard, streamed."""
    membership = access_workspace(request.user, slug)
    kind = request.GET.get("format", "csv")
    if kind not in ("csv", "vcard"):
        return HttpResponse("Export as csv or vcard.", status=400, content_type="text/plain")
    try:
        qs = selectors.filter_contacts(membership, **_filters(request))
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    if kind == "csv":
        lines: Iterator[str] = export.csv_lines(qs)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        name = f"{membership.workspace.slug}-contacts.csv"
    else:
        lines = export.vcard_lines(qs, membership.workspace.slug)
        response = StreamingHttpResponse(lines, content_type="text/vcard; charset=utf-8")
        name = f"{membership.workspace.slug}-contacts.vcf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return cast(HttpResponse, response)  # streamed; the decorators only add headers


def _import_page(
    request: HttpRequest,
    membership: Membership,
    error: str = "",
    status: int = 200,
    chosen: str = "",
) -> HttpResponse:
    return render_page(
        request,
        membership,
        "web/contacts/import.html",
        {
            "mappings": PRESETS.values(),
            "jobs": selectors.recent_imports(membership),
            "error": error,
            "limit": size_label(max_bytes()),
            "chosen": chosen,
        },
        section="contacts",
        status=status,
    )


@csrf_exempt
@member_view
def contacts_import(request: HttpRequest, slug: str) -> HttpResponse:
    """The upload page; a POST keeps the file and queues its dry run (or asks for columns)."""
    membership = access_workspace(request.user, slug)
    if request.method != "POST":
        return _import_page(request, membership)
    # Too big by its Content-Length: refused unread (nothing changes, so no CSRF check is needed
    # first). Otherwise the byte counter is armed before the body is read, and CSRF checked then.
    refused = upload.too_big(request)
    if refused:
        return _import_page(request, membership, refused, 413)
    return _receive(request, membership)


@csrf_protect
def _receive(request: HttpRequest, membership: Membership) -> HttpResponse:
    if not can(membership, Verb.IMPORT_CONTACTS):
        return _import_page(request, membership, refusal(Verb.IMPORT_CONTACTS), 403)
    files = request.FILES
    refused = upload.stopped(request)
    if refused:
        return _import_page(request, membership, refused, 413)
    mapping = request.POST.get("mapping", "")
    if "file" not in files:
        return _import_page(request, membership, "Choose a file to upload.", 400, mapping)
    try:
        job = jobs.start_import(
            membership,
            cast(UploadedFile, files["file"]),
            mapping=mapping,
            dry_run=True,
            valid_rows_only=False,
            source=request.POST.get("source", ""),
            columns_later=True,
        )
    except (ValidationError, FileProblem) as exc:
        return _import_page(request, membership, " ".join(exc.messages), 400, mapping)
    return redirect("web:contacts_import_job", slug=membership.workspace.slug, job_id=job.pk)


def _job_context(membership: Membership, job: ImportJob) -> dict[str, Any]:
    running = job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
    context: dict[str, Any] = {
        "job": job,
        "running": running and not jobs.waiting_for_columns(job),
        "percent": (
            100
            if job.state == ImportJob.State.DONE
            else int(100 * job.processed_rows / job.total_rows)
            if job.total_rows
            else 0
        ),
        "errors": job.errors[:ERRORS_SHOWN],
        "errors_hidden": max(0, len(job.errors) - ERRORS_SHOWN),
        "bad_rows": len({e["line"] for e in job.errors}),
        "can_import": can(membership, Verb.IMPORT_CONTACTS)
        and job.state in (ImportJob.State.CHECKED, ImportJob.State.FAILED)
        and job.total_rows > 0,
        "mapping": PRESETS.get(job.mapping),
    }
    if jobs.waiting_for_columns(job):
        try:
            context["file_columns"] = jobs.file_columns(job)
        except (FileProblem, OSError) as exc:
            context["columns_error"] = " ".join(getattr(exc, "messages", [str(exc)]))
        context["fields"] = CONTACT_IMPORT_FIELDS.items()
    return context


@member_view
def import_job(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    job = access_import(membership, job_id)
    return render_page(
        request,
        membership,
        "web/contacts/import_job.html",
        _job_context(membership, job),
        section="contacts",
        partial="web/contacts/_import_progress.html",
    )


def _job_refused(
    request: HttpRequest, membership: Membership, job: ImportJob, **why: Any
) -> HttpResponse:
    """The import's page again (400), with what was refused and why."""
    return render_page(
        request,
        membership,
        "web/contacts/import_job.html",
        {**_job_context(membership, job), **why},
        section="contacts",
        status=400,
    )


@require_POST
@member_view
def import_columns(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    job = access_import(membership, job_id)
    chosen = {name: request.POST.get(f"col-{name}", "") for name in CONTACT_IMPORT_FIELDS}
    try:
        jobs.choose_columns(membership, job, columns=chosen)
    except ValidationError as exc:
        return _job_refused(
            request, membership, job, columns_error=" ".join(exc.messages), chosen=chosen
        )
    return redirect("web:contacts_import_job", slug=slug, job_id=job.pk)


@require_POST
@member_view
def import_confirm(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    job = access_import(membership, job_id)
    try:
        jobs.confirm_import(
            membership, job, valid_rows_only=request.POST.get("valid_rows_only") == "1"
        )
    except ValidationError as exc:
        return _job_refused(request, membership, job, confirm_error=" ".join(exc.messages))
    return redirect("web:contacts_import_job", slug=slug, job_id=job.pk)


class _Echo:
    def write(self, value: str) -> str:
        return value


@member_view
def import_errors(request: HttpRequest, slug: str, job_id: int) -> HttpResponse:
    """Every row error of an import as CSV (line, column, reason)."""
    membership = access_workspace(request.user, slug)
    job = access_import(membership, job_id)
    writer = spreadsheet.writer(_Echo())
    rows = [["line", "column", "reason"]] + [
        [e["line"], e["column"], e["reason"]] for e in job.errors
    ]
    response = StreamingHttpResponse(
        (writer.writerow(r) for r in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return cast(HttpResponse, response)
