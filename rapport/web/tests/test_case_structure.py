"""The case page's related cases, custom fields, public link and activity; the customer's status
page (nothing internal); the Activity page; Settings → Case types; tenancy."""

import re

import pytest
from django.urls import reverse

from rapport.cases import actions, merge, public
from rapport.cases.approvals import request_case_approval
from rapport.cases.models import Case, CaseType, PublicLink
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import team

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "amount": {"type": "number", "title": "Amount (€)", "minimum": 0},
        "account_number": {"type": "string", "title": "Account number"},
    },
    "required": ["amount"],
}


def _url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=["acme", *args])


def test_parent_children_and_merge_from_the_case_page(owner, owner_client):
    parent = actions.create_case(owner, subject="Mortgage dispute")
    child = actions.create_case(owner, subject="Refund <the fee>")
    response = owner_client.post(_url("case_parent", child.pk), {"parent": f"#{parent.pk}"})
    assert response.status_code == 302
    html = owner_client.get(_url("case", parent.pk)).content.decode()
    assert "Refund &lt;the fee&gt;" in html
    assert (
        f'Part of <a href="{_url("case", parent.pk)}"'
        in owner_client.get(_url("case", child.pk)).content.decode()
    )
    bad = owner_client.post(_url("case_parent", parent.pk), {"parent": str(child.pk)}, follow=True)
    assert "would make a circle" in bad.content.decode()
    missing = owner_client.post(_url("case_parent", parent.pk), {"parent": "99999"}, follow=True)
    assert "There is no case 99999 in this workspace" in missing.content.decode()

    duplicate = actions.create_case(owner, subject="Charged twice again")
    itself = owner_client.post(
        _url("case_merge", duplicate.pk), {"into": duplicate.pk}, follow=True
    )
    assert "cannot be merged into itself" in itself.content.decode()
    merged = owner_client.post(_url("case_merge", duplicate.pk), {"into": parent.pk})
    assert merged["Location"] == _url("case", parent.pk)
    html = owner_client.get(_url("case", duplicate.pk)).content.decode()
    assert "Closed: merged into" in html
    assert "Unmerge" in html
    owner_client.post(_url("case_unmerge", duplicate.pk))
    assert Case.objects.get(pk=duplicate.pk).merged_into_id is None


def test_opening_a_case_of_a_type_checks_its_required_fields(owner, owner_client):
    kind = actions.create_case_type(owner, name="Payment dispute", schema=SCHEMA)
    form = owner_client.get(_url("cases")).content.decode()
    assert f'<option value="{kind.pk}">Payment dispute</option>' in form
    refused = owner_client.post(
        _url("case_create"), {"subject": "Charged twice", "priority": "high", "case_type": kind.pk}
    )
    assert refused.status_code == 400
    assert "Amount (€) (amount) is required." in refused.content.decode()
    kind.schema = {"type": "object"}
    kind.save()
    made = owner_client.post(
        _url("case_create"), {"subject": "Charged twice", "priority": "high", "case_type": kind.pk}
    )
    assert made.status_code == 302
    assert Case.objects.get().case_type == kind


def test_custom_fields_are_shown_edited_and_validated_on_the_case_page(owner, owner_client):
    kind = actions.create_case_type(owner, name="Payment dispute", schema=SCHEMA)
    case = actions.create_case(
        owner, subject="Charged twice", case_type=kind, custom_fields={"amount": 620}
    )
    html = owner_client.get(_url("case", case.pk)).content.decode()
    assert "Payment dispute details" in html
    assert 'name="cf_amount" value="620"' in html
    assert "Account number" in html
    bad = owner_client.post(_url("case_fields", case.pk), {"cf_amount": "a lot"})
    assert bad.status_code == 400
    assert "Amount (€) (amount): &#x27;a lot&#x27; is not of type &#x27;number&#x27;" in (
        bad.content.decode()
    )
    owner_client.post(_url("case_fields", case.pk), {"cf_amount": "80", "cf_account_number": "42"})
    assert Case.objects.get(pk=case.pk).custom_fields == {"amount": 80, "account_number": "42"}


def test_public_status_page_shows_public_updates_and_nothing_internal(
    acme, owner, owner_client, make_member, client
):
    ingrid = make_member(acme, Role.MANAGER, email="ingrid@acme.example")
    kind = actions.create_case_type(owner, name="Payment dispute", schema=SCHEMA)
    case = actions.create_case(
        owner,
        subject="Mortgage payment taken twice",
        case_type=kind,
        custom_fields={"amount": 620, "account_number": "99887766"},
        owner=ingrid,
    )
    actions.add_task(owner, case, title="Approve the secret credit", assignee=ingrid)
    actions.add_comment(owner, case, body="Internal: the ledger shows fraud flags")
    actions.add_comment(owner, case, body="We found the <double> payment.", public=True)
    request_case_approval(
        owner, case, approver=ingrid, amount=620, reason="Senior sign-off for the refund"
    )
    response = owner_client.post(_url("case_public_link", case.pk))
    assert response.status_code == 302
    link = PublicLink.objects.get(case=case)
    assert len(link.token) >= 40
    page = owner_client.get(_url("case", case.pk)).content.decode()
    assert f"/status/{link.token}/" in page

    customer = client.get(f"/status/{link.token}/")
    html = customer.content.decode()
    assert customer.status_code == 200
    assert customer["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in customer["Cache-Control"]
    assert "Mortgage payment taken twice" in html
    assert "We found the &lt;double&gt; payment." in html
    assert "We are working on it" in html
    for secret in (
        "ledger",
        "fraud",
        "secret credit",
        "ingrid",
        "99887766",
        "pprov",
        "sign-off",
    ):
        assert secret not in html.lower(), secret
    # The amount as a number of its own: a timestamp's microseconds may hold the digits 620.
    assert not re.search(r"(?<![\w.:])620(?!\d)", html)

    owner_client.post(_url("case_public_link_revoke", link.pk))
    assert client.get(f"/status/{link.token}/").status_code == 404
    assert client.get("/status/not-a-real-token-but-long-enough/").status_code == 404


def test_a_merged_case_link_shows_the_case_it_was_merged_into(owner, client):
    original = actions.create_case(owner, subject="Original")
    actions.add_comment(owner, original, body="Refund sent.", public=True)
    duplicate = actions.create_case(owner, subject="Duplicate")
    link = public.create_public_link(owner, duplicate)
    merge.merge(owner, duplicate, into=original)
    assert "Refund sent." in client.get(f"/status/{link.token}/").content.decode()


def test_activity_page_lists_who_works_on_what_with_filters(acme, owner, owner_client, make_member):
    sam = make_member(acme, Role.AGENT, email="sam@acme.example")
    care = team(owner, "Social Care", sam)
    actions.create_case(sam, subject="Card <blocked>", team=care)
    actions.create_case(owner, subject="Loan question")
    html = owner_client.get(_url("activity")).content.decode()
    assert "Card &lt;blocked&gt;" in html
    assert "Loan question" in html
    assert 'href="/w/acme/activity/"' in html  # in the nav
    only = owner_client.get(_url("activity"), {"team": care.pk}, HTTP_HX_REQUEST="true")
    assert "Loan question" not in only.content.decode()
    assert "<html" not in only.content.decode()
    bad = owner_client.get(_url("activity"), {"team": "x"}).content.decode()
    assert "team must be an id" in bad


def test_case_activity_pages_on_the_case_page(owner, owner_client):
    case = actions.create_case(owner, subject="Busy case")
    for i in range(25):
        actions.add_comment(owner, case, body=f"Note {i}")
    html = owner_client.get(_url("case", case.pk)).content.decode()
    assert "Older →" in html
    older = owner_client.get(
        _url("case", case.pk), {"activity_page": 2}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "opened the case" in older
    assert "<html" not in older


def test_settings_case_types_create_and_edit_with_schema_checks(
    acme, owner_client, make_member, signed_in
):
    page = owner_client.get(_url("settings_case_types")).content.decode()
    assert "No case types yet" in page
    bad_json = owner_client.post(
        _url("settings_case_types"), {"name": "Dispute", "schema": "{oops"}
    )
    assert bad_json.status_code == 400
    assert "This is not JSON: Expecting property name enclosed in double quotes at line 1" in (
        bad_json.content.decode()
    )
    bad_schema = owner_client.post(
        _url("settings_case_types"), {"name": "Dispute", "schema": '{"type": "bag"}'}
    )
    assert "Not a valid JSON schema at type" in bad_schema.content.decode()
    ok = owner_client.post(
        _url("settings_case_types"), {"name": "Dispute", "schema": '{"type": "object"}'}
    )
    kind = CaseType.objects.get()
    assert ok["Location"] == _url("settings_case_type", kind.pk)
    owner_client.post(
        _url("settings_case_type", kind.pk),
        {"name": "Payment dispute", "schema": '{"type": "object", "properties": {"amount": {}}}'},
    )
    kind.refresh_from_db()
    assert (kind.name, list(kind.schema["properties"])) == ("Payment dispute", ["amount"])
    agent = signed_in(make_member(acme, Role.AGENT))
    assert agent.get(_url("settings_case_types")).status_code == 403


def test_another_workspaces_case_parts_are_404(globex, owner_client, signed_in):
    theirs_owner = Membership.objects.get(workspace=globex, role=Role.OWNER)
    theirs = actions.create_case(theirs_owner, subject="Theirs")
    link = public.create_public_link(theirs_owner, theirs)
    kind = actions.create_case_type(theirs_owner, name="Theirs")
    for name, args in [
        ("case_merge", [theirs.pk]),
        ("case_unmerge", [theirs.pk]),
        ("case_parent", [theirs.pk]),
        ("case_fields", [theirs.pk]),
        ("case_public_link", [theirs.pk]),
        ("case_public_link_revoke", [link.pk]),
    ]:
        assert owner_client.post(_url(name, *args)).status_code == 404, name
    assert owner_client.get(_url("settings_case_type", kind.pk)).status_code == 404
    mine = actions.create_case(
        Membership.objects.get(workspace__slug="acme", role=Role.OWNER), subject="Mine"
    )
    into_theirs = owner_client.post(_url("case_merge", mine.pk), {"into": theirs.pk}, follow=True)
    assert f"There is no case {theirs.pk} in this workspace" in into_theirs.content.decode()
    assert PublicLink.objects.get(pk=link.pk).revoked_at is None
    assert re.search(r"Theirs", signed_in(theirs_owner).get("/w/globex/activity/").content.decode())


def test_the_status_page_shows_the_playbooks_current_step(owner, client, monkeypatch):
    case = actions.create_case(owner, subject="Charged twice", owner=owner)
    link = public.create_public_link(owner, case)
    monkeypatch.setattr(
        "rapport.playbooks.selectors.current_step", lambda c: "Checking your <payment>"
    )
    html = client.get(f"/status/{link.token}/").content.decode()
    assert "What we are doing now:</span> Checking your &lt;payment&gt;" in html
    actions.transition(owner, case, to="resolved")
    html = client.get(f"/status/{link.token}/").content.decode()
    assert "Checking your" not in html
    assert "Resolved" in html
