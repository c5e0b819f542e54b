"""The contacts router: contacts (search, create, read, change, delete) and imports of CRM/ERP
files (upload with a mapping, a dry run's row errors, progress)."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from rapport.api.auth import member
from rapport.api.bounds import Id, PageNumber
from rapport.api.schemas import DictOut
from rapport.contacts import actions, selectors
from rapport.contacts.access import access_contact, access_import, access_organization
from rapport.contacts.imports import jobs, upload
from rapport.contacts.imports.mappings import PRESETS
from rapport.contacts.models import Contact, ImportJob
from rapport.core import links
from rapport.core.access import access_in_workspace, access_member
from rapport.core.models import Membership

router = Router(tags=["contacts"])


class IdentityOut(Schema):
    id: int
    network: str
    handle: str
    display_name: str
    profile_url: str = Field(description="Empty unless an http(s) address")
    verified: bool

    @field_validator("profile_url")
    @classmethod
    def _web_only(cls, value: str) -> str:
        return links.safe_url(value)  # a network's author link, as the network gave it


class ContactOut(DictOut):
    id: int
    name: str
    first_name: str
    last_name: str
    email: str
    phone: str = Field(description="E.164")
    birth_date: date | None
    city: str
    country: str
    language: str
    segment: str
    tier: str
    website: str = Field(description="Empty unless an http(s) address")
    bio: str
    organization_id: int | None
    organization: str | None
    owner_id: int | None
    tags: list[str]
    attributes: dict[str, Any]
    do_not_contact: bool
    lawful_basis: str
    preferred_channel: str
    lifetime_value: Decimal
    source: str
    external_id: str
    merged_into_id: int | None = Field(description="Set when this contact was merged into another")
    created_at: datetime
    updated_at: datetime

    @field_validator("website")
    @classmethod
    def _web_only(cls, value: str) -> str:
        return links.safe_url(value)  # one stored before addresses were checked


class ContactDetailOut(ContactOut):
    identities: list[IdentityOut]


class ContactPage(DictOut):
    items: list[ContactOut]
    count: int
    count_capped: bool = Field(description=f"More than {selectors.COUNT_CAP} match")
    page: int
    pages: int


class ContactFilters(Schema):
    q: str = Field(
        "",
        description="A name or last name (prefix), an email (prefix), a phone, or an @handle",
    )
    tier: str = Field("", description="A tier, or `none`")
    segment: str = ""
    owner: str = Field("", description="A member id, `me` or `none`")
    organization: str = Field("", description="An organization id or `none`")
    page: PageNumber = 1
    limit: int = Field(selectors.PAGE, ge=1, le=selectors.MAX_PAGE)


class ContactIn(Schema):
    name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = Field("", description="Any format; stored as E.164")
    birth_date: str | None = Field(None, description="1990-03-14, 14/03/1990, 14 Mar 1990…")
    city: str = ""
    country: str = Field("", description="ISO 3166 code or country name")
    language: str = ""
    segment: str = ""
    tier: str = ""
    website: str = ""
    bio: str = ""
    organization_id: Id | None = None
    owner_id: Id | None = None
    tags: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    do_not_contact: bool = False
    lawful_basis: str = ""
    preferred_channel: str = ""
    source: str = ""
    external_id: str = ""


class ContactPatch(Schema):
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    birth_date: str | None = None
    city: str | None = None
    country: str | None = None
    language: str | None = None
    segment: str | None = None
    tier: str | None = None
    website: str | None = None
    bio: str | None = None
    organization_id: Id | None = None
    owner_id: Id | None = None
    tags: list[str] | None = None
    attributes: dict[str, Any] | None = None
    do_not_contact: bool | None = None
    lawful_basis: str | None = None
    preferred_channel: str | None = None
    source: str | None = None
    external_id: str | None = None


class RowError(Schema):
    line: int
    column: str
    reason: str


class ImportJobOut(Schema):
    id: int
    filename: str
    mapping: str
    source: str
    dry_run: bool
    valid_rows_only: bool
    state: str = Field(description="queued, running, checked (dry run), done or failed")
    total_rows: int
    processed_rows: int
    progress: float = Field(description="0 to 1: rows imported of those to import")
    created_count: int
    updated_count: int
    error_count: int
    errors: list[RowError] = Field(description="Every row error (the first 10,000)")
    message: str
    created_at: datetime
    finished_at: datetime | None


class ImportConfirm(Schema):
    valid_rows_only: bool = Field(False, description="Import the valid rows, skip the others")


class MappingOut(Schema):
    name: str
    label: str
    target: str
    source: str
    help: str


def _out(c: Contact) -> dict[str, Any]:
    return {
        **{f: getattr(c, f) for f in ContactOut.model_fields if hasattr(c, f)},
        "organization": c.organization.name if c.organization_id and c.organization else None,
    }


def _detail(c: Contact) -> dict[str, Any]:
    return {**_out(c), "identities": list(c.identities.order_by("network", "handle"))}


def _refs(m: Membership, data: dict[str, Any]) -> dict[str, Any]:
    if "organization_id" in data:
        org_id = data.pop("organization_id")
        data["organization"] = access_organization(m, org_id) if org_id else None
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        data["owner"] = access_member(m, owner_id) if owner_id else None
    return data


@router.get("/contacts", response=ContactPage, summary="Contacts by name, filtered and searched")
def list_contacts(request: HttpRequest, filters: Query[ContactFilters]) -> dict[str, Any]:
    page = selectors.contact_page(
        member(request),
        page=filters.page,
        per_page=filters.limit,
        q=filters.q,
        tier=filters.tier,
        segment=filters.segment,
        owner=filters.owner,
        organization=filters.organization,
    )
    return {
        "items": [_out(c) for c in page.items],
        "count": page.count,
        "count_capped": page.capped,
        "page": page.page,
        "pages": page.pages,
    }


@router.post("/contacts", response={201: ContactDetailOut}, summary="Add a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[dict[str, Any]]:
    m = member(request)
    data = _refs(m, payload.model_dump())
    contact = actions.create_contact(m, **data)
    # read back as stored (amounts to their decimal places); no identity links to it yet
    stored = access_in_workspace(m, Contact.objects.select_related("organization"), contact.pk)
    return Status(201, {**_out(stored), "identities": []})


@router.get("/contacts/{contact_id}", response=ContactDetailOut, summary="One contact")
def get_contact(request: HttpRequest, contact_id: Id) -> dict[str, Any]:
    return _detail(access_contact(member(request), contact_id))


@router.patch("/contacts/{contact_id}", response=ContactDetailOut, summary="Change a contact")
def patch_contact(request: HttpRequest, contact_id: Id, payload: ContactPatch) -> dict[str, Any]:
    m = member(request)
    contact = access_contact(m, contact_id)
    data = _refs(m, payload.model_dump(exclude_unset=True))
    actions.update_contact(m, contact, **data)
    return _detail(access_contact(m, contact.pk))


@router.delete(
    "/contacts/{contact_id}",
    response={204: None},
    summary="Delete a contact with their orders, accounts, interactions and consent",
)
def delete_contact(request: HttpRequest, contact_id: Id) -> Status[None]:
    m = member(request)
    actions.delete_contact(m, access_contact(m, contact_id))
    return Status(204, None)


def _job(job: ImportJob) -> dict[str, Any]:
    done = job.state == ImportJob.State.DONE
    progress = 1.0 if done else min(job.processed_rows / max(job.total_rows, 1), 1.0)
    return {
        **{f: getattr(job, f) for f in ImportJobOut.model_fields if hasattr(job, f)},
        "progress": round(progress, 3),
    }


@router.get("/import-mappings", response=list[MappingOut], summary="The preset import mappings")
def list_mappings(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"name": m.name, "label": m.label, "target": m.target, "source": m.source, "help": m.help}
        for m in PRESETS.values()
    ]


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "mapping"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mapping": {"type": "string", "enum": list(PRESETS)},
                        "dry_run": {"type": "boolean", "default": True},
                        "valid_rows_only": {"type": "boolean", "default": False},
                        "source": {
                            "type": "string",
                            "description": "The source system rows are keyed by",
                        },
                        "columns": {
                            "type": "string",
                            "description": 'For mapping "custom": JSON {field: column}',
                        },
                    },
                }
            }
        },
    }
}


def _flag(value: str | None, default: bool) -> bool:
    if value in (None, ""):
        return default
    if value.lower() in ("true", "1", "yes", "on"):
        return True
    if value.lower() in ("false", "0", "no", "off"):
        return False
    raise ValidationError(f"{value!r} is not true or false.")


@router.post(
    "/imports",
    response={202: ImportJobOut, 413: dict[str, str]},
    summary="Upload a file to check (dry run) or import in the background",
    openapi_extra=UPLOAD_BODY,
)
def create_import(request: HttpRequest) -> Status[dict[str, Any]]:
    m = member(request)
    refused = upload.too_big(request)
    if refused:
        return Status(413, {"detail": refused})
    files, form = request.FILES, request.POST
    refused = upload.stopped(request)
    if refused:
        return Status(413, {"detail": refused})
    if "file" not in files:
        raise ValidationError({"file": "Send the file as multipart form data, field `file`."})
    columns: dict[str, str] = {}
    if form.get("columns"):
        try:
            columns = json.loads(form["columns"])
        except ValueError:
            raise ValidationError({"columns": "columns must be JSON: {field: column}."}) from None
        if not isinstance(columns, dict):
            raise ValidationError({"columns": "columns must be JSON: {field: column}."})
    job = jobs.start_import(
        m,
        cast(UploadedFile, files["file"]),
        mapping=form.get("mapping", ""),
        dry_run=_flag(form.get("dry_run"), True),
        valid_rows_only=_flag(form.get("valid_rows_only"), False),
        columns=columns,
        source=form.get("source", ""),
    )
    job.refresh_from_db()
    return Status(202, _job(job))


@router.get("/imports", response=list[ImportJobOut], summary="The latest imports")
def list_imports(request: HttpRequest) -> list[dict[str, Any]]:
    return [_job(j) for j in selectors.recent_imports(member(request), limit=20)]


@router.get("/imports/{job_id}", response=ImportJobOut, summary="An import's progress and errors")
def get_import(request: HttpRequest, job_id: Id) -> dict[str, Any]:
    return _job(access_import(member(request), job_id))


@router.post(
    "/imports/{job_id}/confirm",
    response={202: ImportJobOut},
    summary="Import a checked file for real (all rows, or the valid ones)",
)
def confirm_import(
    request: HttpRequest, job_id: Id, payload: ImportConfirm
) -> Status[dict[str, Any]]:
    m = member(request)
    job = jobs.confirm_import(m, access_import(m, job_id), valid_rows_only=payload.valid_rows_only)
    job.refresh_from_db()
    return Status(202, _job(job))
