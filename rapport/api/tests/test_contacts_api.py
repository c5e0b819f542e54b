"""The contacts API: search, create, read, change, delete (another workspace's contact is 404)
and imports (multipart upload, the dry run's row errors, confirm, progress, the size limit)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.api.contacts import ContactIn, ContactPatch
from rapport.contacts import actions
from rapport.contacts.models import CONTACT_FIELDS, Contact, Identity, ImportJob
from rapport.contacts.tests.conftest import FIXTURES
from rapport.core.models import AuditEvent
from rapport.core.roles import Role

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


def test_the_api_takes_a_contact_s_own_fields_each_its_related_row_by_id():
    # the schemas are written out (they are the published contract): they must not drift
    column = {field.name: field.attname for field in Contact._meta.concrete_fields}
    own = [column[name] for name in CONTACT_FIELDS]
    assert list(ContactIn.model_fields) == own
    assert list(ContactPatch.model_fields) == own


def test_create_search_read_change_delete(acme, owner, agent, api_client):
    client = api_client(agent)
    created = client.post(
        f"{API}/contacts",
        {"first_name": "Maya", "last_name": "Chen", "email": "Maya.Chen@Example.com",
         "phone": "01632 960961", "birth_date": "14/03/1988", "country": "United Kingdom",
         "tags": ["VIP"]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["name"], body["phone"], body["country"]) == ("Maya Chen", "+441632960961", "GB")
    assert body["birth_date"] == "1988-03-14"
    assert body["tags"] == ["vip"]
    maya = Contact.objects.get(pk=body["id"])
    Identity.objects.create(
        workspace=acme, network="bluesky", external_id="did:1", handle="mayachen", contact=maya
    )
    for i in range(3):
        actions.create_contact(owner, name=f"Person {i}")
    assert client.get(f"{API}/contacts").json()["count"] == 4
    for q in ("maya", "chen", "maya.chen@", "+44 1632 960961", "@mayachen"):
        found = client.get(f"{API}/contacts", {"q": q}).json()
        assert [c["name"] for c in found["items"]] == ["Maya Chen"], q
    paged = client.get(f"{API}/contacts", {"limit": 3, "page": 2}).json()
    assert (paged["pages"], len(paged["items"])) == (2, 1)
    one = client.get(f"{API}/contacts/{maya.pk}").json()
    assert one["identities"][0]["handle"] == "mayachen"
    patched = client.patch(
        f"{API}/contacts/{maya.pk}", {"city": "Leeds", "tier": "gold"},
        content_type="application/json",
    )  # fmt: skip
    assert (patched.json()["city"], patched.json()["tier"]) == ("Leeds", "gold")
    assert AuditEvent.objects.filter(verb="contact.update").count() == 1
    assert client.delete(f"{API}/contacts/{maya.pk}").status_code == 403  # agents may not
    assert api_client(owner).delete(f"{API}/contacts/{maya.pk}").status_code == 204
    assert client.get(f"{API}/contacts/{maya.pk}").status_code == 404


def test_bad_input_names_the_field(agent, api_client):
    client = api_client(agent)
    bad = client.post(
        f"{API}/contacts", {"name": "X", "email": "nope", "phone": "12"},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"email", "phone"}
    assert client.get(f"{API}/contacts", {"tier": "diamond"}).status_code == 400
    assert not Contact.objects.exists()


def test_a_website_must_be_http_or_https(agent, api_client):
    client = api_client(agent)
    bad = client.post(
        f"{API}/contacts", {"name": "Eve", "website": "javascript:alert(document.cookie)"},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400
    assert bad.json()["fields"]["website"] == [
        "The website must be an http:// or https:// address, not javascript:."
    ]
    assert not Contact.objects.exists()
    made = client.post(
        f"{API}/contacts", {"name": "Maya", "website": "https://maya.example"},
        content_type="application/json",
    )  # fmt: skip
    assert made.status_code == 201
    patched = client.patch(
        f"{API}/contacts/{made.json()['id']}", {"website": "data:text/html,x"},
        content_type="application/json",
    )  # fmt: skip
    assert patched.status_code == 400
    assert Contact.objects.get().website == "https://maya.example"


def test_a_stored_javascript_link_is_not_served(owner, agent, api_client):
    eve = Contact.objects.create(workspace=owner.workspace, name="Eve", website="javascript:x()")
    Identity.objects.create(
        workspace=owner.workspace, contact=eve, network="rss", external_id="e",
        handle="eve", profile_url="javascript:alert(1)",
    )  # fmt: skip
    body = api_client(agent).get(f"{API}/contacts/{eve.pk}").json()
    assert body["website"] == ""
    assert body["identities"][0]["profile_url"] == ""


def test_another_workspaces_contact_is_missing(owner, globex, make_member, api_client):
    maya = actions.create_contact(owner, name="Maya Chen")
    other = api_client(make_member(globex, Role.ADMIN))
    assert other.get(f"{API}/contacts/{maya.pk}").status_code == 404
    assert (
        other.patch(
            f"{API}/contacts/{maya.pk}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert other.delete(f"{API}/contacts/{maya.pk}").status_code == 404
    assert other.get(f"{API}/contacts").json()["count"] == 0


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), "text/csv")


def test_import_dry_run_then_confirm(
    acme, make_member, api_client, django_capture_on_commit_callbacks
):
    client = api_client(make_member(acme, Role.MANAGER))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/imports",
            {"file": _upload("salesforce_Contact_bad.csv"), "mapping": "salesforce-contacts"},
        )
    assert response.status_code == 202, response.json()
    job = response.json()
    checked = client.get(f"{API}/imports/{job['id']}").json()
    assert checked["state"] == "checked"
    assert checked["error_count"] == 5
    assert {"line": 6, "column": "Id", "reason": checked["errors"][3]["reason"]} in checked[
        "errors"
    ]
    assert "duplicate external id" in checked["errors"][3]["reason"]
    assert not Contact.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(
            f"{API}/imports/{job['id']}/confirm", {"valid_rows_only": True},
            content_type="application/json",
        )  # fmt: skip
    assert confirmed.status_code == 202
    done = client.get(f"{API}/imports/{job['id']}").json()
    assert (done["state"], done["created_count"], done["progress"]) == ("done", 3, 1.0)
    assert Contact.objects.count() == 3


def test_import_refusals(acme, make_member, api_client, settings):
    client = api_client(make_member(acme, Role.MANAGER))
    unknown = client.post(f"{API}/imports", {"file": _upload("orders.csv"), "mapping": "sap"})
    assert unknown.status_code == 400
    assert "Unknown mapping 'sap'" in unknown.json()["detail"]
    assert client.post(f"{API}/imports", {"mapping": "orders"}).status_code == 400
    settings.RAPPORT_IMPORT_MAX_MB = 1
    huge = client.post(f"{API}/imports", {"mapping": "orders"}, CONTENT_LENGTH=str(1024**3))
    assert huge.status_code == 413
    assert "at most 1.0 MB" in huge.json()["detail"]
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1), "text/csv")
    assert client.post(f"{API}/imports", {"file": big, "mapping": "orders"}).status_code == 413
    agent = api_client(make_member(acme, Role.AGENT))
    assert (
        agent.post(
            f"{API}/imports", {"file": _upload("orders.csv"), "mapping": "orders"}
        ).status_code
        == 403
    )
    assert not ImportJob.objects.exists()


def test_another_workspaces_import_is_missing(owner, globex, make_member, api_client):
    job = ImportJob.objects.create(workspace=owner.workspace, filename="x.csv", mapping="vcard")
    other = api_client(make_member(globex, Role.ADMIN))
    assert other.get(f"{API}/imports/{job.pk}").status_code == 404
    assert other.get(f"{API}/imports").json() == []
    mappings = other.get(f"{API}/import-mappings").json()
    assert "salesforce-contacts" in {m["name"] for m in mappings}
