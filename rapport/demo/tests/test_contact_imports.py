"""The demo's imports: Salesforce's accounts and contacts imported, a later export checked with
its bad rows; loading twice adds nothing."""

import pytest

from rapport.contacts.models import Contact, ImportJob
from rapport.demo import contact_imports as demo

pytestmark = pytest.mark.django_db


def test_the_demo_shows_finished_and_checked_imports(owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo.load(owner.workspace, owner)
    demo.load(owner.workspace, owner)
    jobs = {j.filename: j for j in ImportJob.objects.all()}
    assert jobs["Account.csv"].state == jobs["Contact.csv"].state == "done"
    assert jobs["Contact (May).csv"].state == "checked"
    assert {e["column"] for e in jobs["Contact (May).csv"].errors} == {
        "Phone",
        "Email",
        "Birthdate",
        "Id",
    }
    assert Contact.objects.filter(organization__name="Greenfield Veterinary Practice").count() == 2
