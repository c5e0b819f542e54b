"""One way to perform each contacts action (people, companies, consent, logged interactions,
imports), given the owner of a fresh workspace.

`rapport/core/tests/test_actions.py` adds these to its SCENARIOS, which must cover every action.
"""

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.contacts import actions
from rapport.contacts.imports import jobs
from rapport.contacts.models import Contact, ImportJob, Organization
from rapport.core.models import Membership

CSV = b"email,first name,last name\nmaya@example.com,Maya,Chen\n"


def _contact(owner: Membership) -> Contact:
    return Contact.objects.create(workspace=owner.workspace, name="Maya Chen")


def _organization(owner: Membership) -> Organization:
    return Organization.objects.create(workspace=owner.workspace, name="Initech")


def _upload(owner: Membership, **options: Any) -> ImportJob:
    upload = SimpleUploadedFile("people.csv", CSV, "text/csv")
    return jobs.start_import(owner, upload, mapping="custom", **options)


def _checked(owner: Membership) -> ImportJob:
    job = _upload(owner, columns_later=True)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.CHECKED)
    job.refresh_from_db()
    return job


SCENARIOS: dict[str, Callable[[Membership], Any]] = {
    "contact.create": lambda o: actions.create_contact(o, name="Maya Chen"),
    "contact.update": lambda o: actions.update_contact(o, _contact(o), city="Leeds"),
    "contact.delete": lambda o: actions.delete_contact(o, _contact(o)),
    "organization.create": lambda o: actions.create_organization(o, name="Initech"),
    "organization.update": lambda o: actions.update_organization(
        o, _organization(o), industry="Software"
    ),
    "organization.delete": lambda o: actions.delete_organization(o, _organization(o)),
    "contact.consent": lambda o: actions.record_consent(o, _contact(o), "email", True, "consent"),
    "contact.interaction.log": lambda o: actions.log_interaction(
        o, _contact(o), "call", subject="Called about the mortgage"
    ),
    "contact.import.start": lambda o: _upload(o, columns_later=True),
    "contact.import.columns": lambda o: jobs.choose_columns(
        o, _upload(o, columns_later=True), columns={"email": "email", "first_name": "first name"}
    ),
    "contact.import.confirm": lambda o: jobs.confirm_import(o, _checked(o), valid_rows_only=True),
}
