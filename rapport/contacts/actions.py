"""Every write of contacts by a person, audited, in one transaction each.

Contacts and organizations (create, update, delete), consent (appended, never changed) and
logged interactions (calls, emails, meetings, notes; `interaction.logged` puts them on the
profile's timeline).
Imports write in bulk through `rapport.contacts.imports.run` with one audit event per job.
"""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from rapport.contacts import normalize
from rapport.contacts.events import INTERACTION_LOGGED
from rapport.contacts.models import (
    CONTACT_FIELDS,
    Consent,
    Contact,
    Interaction,
    LawfulBasis,
    Organization,
    Tier,
)
from rapport.core import links
from rapport.core.audit import action, record_by, snapshot
from rapport.core.events import emit
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require

ORGANIZATION_FIELDS = [
    "name",
    "domain",
    "industry",
    "segment",
    "tier",
    "owner",
    "attributes",
    "source",
    "external_id",
]
TEXT_LIMITS = {
    "name": 200,
    "first_name": 100,
    "last_name": 100,
    "city": 100,
    "language": 10,
    "segment": 100,
    "website": 500,
    "bio": 10_000,
    "preferred_channel": 30,
    "source": 40,
    "external_id": 200,
    "domain": 200,
    "industry": 100,
}
CHANNELS = {"email", "phone", "sms", "post", "whatsapp", "social"}
MAX_TAGS = 30


def _text(field: str, value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: f"The {field.replace('_', ' ')} must be text."})
    value = value.strip()
    limit = TEXT_LIMITS.get(field, 200)
    if len(value) > limit:
        raise ValidationError(
            {field: f"The {field.replace('_', ' ')} is {len(value)} characters; at most {limit}."}
        )
    return value


def _choice(field: str, value: object, choices: list[str]) -> str:
    value = "" if value is None else str(value).strip().lower()
    if value and value not in choices:
        raise ValidationError(
            {field: f"Unknown {field} {value!r}; use one of {', '.join(choices)}."}
        )
    return value


def _tags(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = list(value.replace(";", ",").split(","))
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValidationError({"tags": "Tags must be a list of words."})
    out: list[str] = []
    for tag in value:
        tag = tag.strip().lower()
        if tag and tag not in out:
            if len(tag) > 50:
                raise ValidationError({"tags": f"Tag {tag[:20]!r}… is longer than 50 characters."})
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags per contact."})
    return out


def _member_of(actor: Membership, field: str, value: object) -> Any:
    if value is None or value == "":
        return None
    workspace_id = getattr(value, "workspace_id", None)
    if workspace_id != actor.workspace_id:
        raise ValidationError({field: f"The {field} must belong to this workspace."})
    return value


def clean_contact_fields(actor: Membership, fields: dict[str, Any]) -> dict[str, Any]:
    """Validated, normalised values for the contact fields given (unknown names refused)."""
    unknown = sorted(set(fields) - set(CONTACT_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown contact field(s): {', '.join(unknown)}.")
    out: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    region = None
    if fields.get("country"):
        try:
            region = normalize.country_code(fields["country"]) or None
        except ValidationError:
            region = None  # reported below, on the country field
    for field, value in fields.items():
        try:
            if field == "email":
                out["email"] = normalize.clean_email(value or "")
                out["email_key"] = normalize.email_key(out["email"])
            elif field == "phone":
                out["phone"] = normalize.phone_e164(value or "", region)
            elif field == "birth_date":
                if isinstance(value, datetime.date) or value in (None, ""):
                    out[field] = value or None
                else:
                    out[field] = normalize.parse_date(str(value))
            elif field == "country":
                out[field] = normalize.country_code(value or "")
            elif field == "tier":
                out[field] = _choice(field, value, list(Tier.values))
            elif field == "lawful_basis":
                out[field] = _choice(field, value, list(LawfulBasis.values))
            elif field in ("organization", "owner"):
                out[field] = _member_of(actor, field, value)
            elif field == "tags":
                out[field] = _tags(value)
            elif field == "attributes":
                if not isinstance(value or {}, dict):
                    raise ValidationError("Custom attributes must be an object of names.")
                out[field] = dict(value or {})
            elif field == "website":
                out[field] = links.clean_web_url(value, "website", max_length=TEXT_LIMITS[field])
            elif field == "do_not_contact":
                out[field] = bool(value)
            else:
                out[field] = _text(field, value)
        except ValidationError as exc:
            problems.setdefault(field, []).extend(exc.messages)
    if problems:
        raise ValidationError(problems)
    return out


def _complete_names(values: dict[str, Any], contact: Contact | None = None) -> None:
    """Fills `name` from first/last names or the split of `name`, whichever was given."""
    if "name" in values and values["name"] and not ({"first_name", "last_name"} & set(values)):
        values["first_name"], values["last_name"] = normalize.split_name(values["name"])
    elif not values.get("name") and ({"first_name", "last_name"} & set(values)):
        first = values.get("first_name", contact.first_name if contact else "")
        last = values.get("last_name", contact.last_name if contact else "")
        values["name"] = normalize.join_name(first, last)


def _check_external_id(actor: Membership, values: dict[str, Any], exclude: int | None) -> None:
    external_id = values.get("external_id")
    if not external_id:
        return
    clash = Contact.objects.filter(
        workspace=actor.workspace, source=values.get("source", ""), external_id=external_id
    )
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {"external_id": f"Another contact already has the external id {external_id!r}."}
        )


@action("contact.create")
def create_contact(actor: Membership, **fields: Any) -> Contact:
    """Adds a person; `name` or first/last name is required, email and phone are normalised."""
    require(actor, Verb.ADD_CONTACTS)
    values = clean_contact_fields(actor, fields)
    _complete_names(values)
    if not values.get("name"):
        raise ValidationError({"name": "A contact needs a name."})
    _check_external_id(actor, values, None)
    contact = Contact.objects.create(workspace=actor.workspace, **values)
    record_by(actor, verb="contact.create", obj=contact, after=snapshot(contact, CONTACT_FIELDS))
    return contact


@action("contact.update")
def update_contact(actor: Membership, contact: Contact, **fields: Any) -> Contact:
    require(actor, Verb.CHANGE_CONTACTS)
    if contact.workspace_id != actor.workspace_id:
        raise ValidationError("This contact belongs to another workspace.")
    if contact.merged_into_id is not None:
        raise ValidationError("This contact was merged into another; change that one instead.")
    values = clean_contact_fields(actor, fields)
    _complete_names(values, contact)
    if "name" in values and not values["name"]:
        raise ValidationError({"name": "A contact needs a name."})
    if "external_id" in values or "source" in values:
        _check_external_id(
            actor,
            {
                "source": values.get("source", contact.source),
                "external_id": values.get("external_id", contact.external_id),
            },
            contact.pk,
        )
    before = snapshot(contact, CONTACT_FIELDS)
    for name, value in values.items():
        setattr(contact, name, value)
    contact.save()
    after = snapshot(contact, CONTACT_FIELDS)
    changed = [f for f in CONTACT_FIELDS if before[f] != after[f]]
    record_by(
        actor,
        verb="contact.update",
        obj=contact,
        before={f: before[f] for f in changed},
        after={f: after[f] for f in changed},
    )
    return contact


@action("contact.delete")
def delete_contact(actor: Membership, contact: Contact) -> None:
    """Deletes a person with their orders, accounts, interactions and consent history.

    Their identities stay (unlinked): the posts they wrote are the workspace's record.
    """
    require(actor, Verb.DELETE_CONTACTS)
    if contact.workspace_id != actor.workspace_id:
        raise ValidationError("This contact belongs to another workspace.")
    record_by(actor, verb="contact.delete", obj=contact, before=snapshot(contact, CONTACT_FIELDS))
    contact.delete()


def clean_organization_fields(actor: Membership, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(ORGANIZATION_FIELDS))
    if unknown:
        raise ValidationError(f"Unknown organization field(s): {', '.join(unknown)}.")
    out: dict[str, Any] = {}
    for field, value in fields.items():
        if field == "tier":
            out[field] = _choice(field, value, list(Tier.values))
        elif field == "owner":
            out[field] = _member_of(actor, field, value)
        elif field == "attributes":
            if not isinstance(value or {}, dict):
                raise ValidationError({field: "Custom attributes must be an object of names."})
            out[field] = dict(value or {})
        elif field == "domain":
            out[field] = _text(field, value).lower()
        else:
            out[field] = _text(field, value)
    return out


@action("organization.create")
def create_organization(actor: Membership, **fields: Any) -> Organization:
    require(actor, Verb.ADD_CONTACTS)
    values = clean_organization_fields(actor, fields)
    if not values.get("name"):
        raise ValidationError({"name": "An organization needs a name."})
    if (
        values.get("external_id")
        and Organization.objects.filter(
            workspace=actor.workspace,
            source=values.get("source", ""),
            external_id=values["external_id"],
        ).exists()
    ):
        raise ValidationError(
            {"external_id": f"Another organization has the external id {values['external_id']!r}."}
        )
    org = Organization.objects.create(workspace=actor.workspace, **values)
    record_by(actor, verb="organization.create", obj=org, after=snapshot(org, ORGANIZATION_FIELDS))
    return org


@action("organization.update")
def update_organization(actor: Membership, org: Organization, **fields: Any) -> Organization:
    require(actor, Verb.CHANGE_CONTACTS)
    if org.workspace_id != actor.workspace_id:
        raise ValidationError("This organization belongs to another workspace.")
    values = clean_organization_fields(actor, fields)
    if "name" in values and not values["name"]:
        raise ValidationError({"name": "An organization needs a name."})
    before = snapshot(org, ORGANIZATION_FIELDS)
    for name, value in values.items():
        setattr(org, name, value)
    org.save()
    record_by(
        actor,
        verb="organization.update",
        obj=org,
        before=before,
        after=snapshot(org, ORGANIZATION_FIELDS),
    )
    return org


@action("organization.delete")
def delete_organization(actor: Membership, org: Organization) -> None:
    """Deletes a company; its contacts stay, without an organization."""
    require(actor, Verb.DELETE_CONTACTS)
    if org.workspace_id != actor.workspace_id:
        raise ValidationError("This organization belongs to another workspace.")
    record_by(actor, verb="organization.delete", obj=org, before=snapshot(org, ORGANIZATION_FIELDS))
    org.delete()


@action("contact.consent")
def record_consent(
    actor: Membership,
    contact: Contact,
    channel: str,
    granted: bool,
    basis: str = "",
    source: str = "",
    *,
    recorded_at: datetime.datetime | None = None,
) -> Consent:
    """Appends the person's yes or no on a channel; the newest per channel is in force.

    A "no" on every channel ("all") sets do-not-contact; a later "yes" on any channel lifts it.
    The lawful basis given becomes the contact's basis for holding their data.
    """
    # Anyone who hears a customer say no records it at once; a yes lifts an opt-out.
    require(actor, Verb.RECORD_CONSENT if granted else Verb.RECORD_OPT_OUT)
    if contact.workspace_id != actor.workspace_id:
        raise ValidationError("This contact belongs to another workspace.")
    channel = (channel or "").strip().lower()
    if channel != "all" and channel not in CHANNELS and not channel.isidentifier():
        raise ValidationError(
            {
                "channel": f"Unknown channel {channel!r}; use all, {', '.join(sorted(CHANNELS))}"
                " or a network name."
            }
        )
    if not channel:
        raise ValidationError({"channel": "Say which channel the consent is for."})
    basis = _choice("basis", basis, list(LawfulBasis.values))
    consent = Consent.objects.create(
        workspace=actor.workspace,
        contact=contact,
        channel=channel,
        granted=bool(granted),
        basis=basis,
        source=_text("source", source)[:100],
        recorded_by=actor,
        recorded_at=recorded_at or timezone.now(),
    )
    before = snapshot(contact, ["do_not_contact", "lawful_basis"])
    if channel == "all" and not granted:
        contact.do_not_contact = True
    elif granted:
        contact.do_not_contact = False
    if basis:
        contact.lawful_basis = basis
    contact.save(update_fields=["do_not_contact", "lawful_basis", "updated_at"])
    record_by(
        actor,
        verb="contact.consent",
        obj=consent,
        before=before,
        after={
            "channel": channel,
            "granted": consent.granted,
            "basis": basis,
            "source": consent.source,
            **snapshot(contact, ["do_not_contact", "lawful_basis"]),
        },
    )
    return consent


@action("contact.interaction.log")
def log_interaction(
    actor: Membership,
    contact: Contact,
    kind: str,
    subject: str = "",
    body: str = "",
    direction: str = "",
    occurred_at: datetime.datetime | None = None,
) -> Interaction:
    """Logs a call, email, meeting or note with the person; it appears on their timeline."""
    require(actor, Verb.LOG_INTERACTIONS)
    if contact.workspace_id != actor.workspace_id:
        raise ValidationError("This contact belongs to another workspace.")
    kind = _choice("kind", kind, list(Interaction.Kind.values))
    if not kind:
        raise ValidationError({"kind": "Say whether it was a call, email, meeting or note."})
    direction = _choice("direction", direction, list(Interaction.Direction.values))
    subject = _text("subject", subject)
    body = (body or "").strip()
    if len(body) > 20_000:
        raise ValidationError({"body": f"The notes are {len(body)} characters; at most 20000."})
    if not subject and not body:
        raise ValidationError({"subject": "Say what it was about (a subject or notes)."})
    when = occurred_at or timezone.now()
    if when > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"occurred_at": "An interaction cannot be in the future."})
    interaction = Interaction.objects.create(
        workspace=actor.workspace,
        contact=contact,
        kind=kind,
        direction=direction,
        subject=subject,
        body=body,
        occurred_at=when,
        logged_by=actor,
    )
    record_by(
        actor,
        verb="contact.interaction.log",
        obj=interaction,
        after={"contact": contact.pk, "kind": kind, "direction": direction, "subject": subject},
    )
    emit(
        INTERACTION_LOGGED,
        actor.workspace_id,
        actor=actor,
        object_id=interaction.pk,
        contact=contact.pk,
    )
    return interaction
