"""What a create answers is what a read of the same thing answers a moment later: the API builds
a new contact's and a new case's answer from what it has just written, without reading it back."""

import pytest

from rapport.cases import actions
from rapport.core.roles import Role
from rapport.inbox.tests.factories import team

pytestmark = pytest.mark.django_db

API = "/api/v1"


def test_a_new_contact_answers_as_it_reads(acme, make_member, api_client):
    client = api_client(make_member(acme, Role.AGENT, email="sam@acme.example"))
    created = client.post(
        f"{API}/contacts",
        {"first_name": "Maya", "last_name": "Chen", "email": "Maya.Chen@Example.com",
         "phone": "01632 960961", "birth_date": "14/03/1988", "country": "United Kingdom",
         "tags": ["VIP"], "attributes": {"plan": "gold"}},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json() == client.get(f"{API}/contacts/{created.json()['id']}").json()


def test_a_new_case_and_its_comments_answer_as_they_read(acme, owner, make_member, api_client):
    sam = make_member(acme, Role.AGENT, email="sam@acme.example")
    maya = make_member(acme, Role.AGENT, email="maya@acme.example")
    care = team(owner, "Social Care", sam)
    kind = actions.create_case_type(
        owner,
        name="Dispute",
        schema={"type": "object", "properties": {"amount": {"type": "number"}}},
    )
    client = api_client(sam)
    customer = client.post(
        f"{API}/contacts", {"name": "Dana Fox"}, content_type="application/json"
    ).json()
    created = client.post(
        f"{API}/cases",
        {"subject": "Payment taken twice", "description": "Twice on the 3rd.", "priority": "high",
         "case_type_id": kind.pk, "custom_fields": {"amount": 42.5}, "customer_id": customer["id"],
         "owner_id": maya.pk, "team_id": care.pk, "tags": ["Refund", "refund", "card"]},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201, created.json()
    case = created.json()
    assert (case["owner"], case["team"], case["tags"]) == (
        "maya",
        "Social Care",
        ["refund", "card"],
    )
    assert client.get(f"{API}/cases/{case['id']}").json() == case

    comments = [
        client.post(
            f"{API}/cases/{case['id']}/comments", {"body": body}, content_type="application/json"
        )
        for body in ("Checking the ledger.", "@maya and @sam: the ledger shows both.")
    ]
    assert [c.status_code for c in comments] == [201, 201]
    assert [c.json()["mentions"] for c in comments] == [[], [maya.pk, sam.pk]]  # by email
    read = client.get(f"{API}/cases/{case['id']}").json()
    assert read["comments"] == [c.json() for c in comments]
    assert read["watchers"] == [maya.pk, sam.pk]  # by email, as the case page lists them
