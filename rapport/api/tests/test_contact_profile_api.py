"""The contact profile API: the 360° view as JSON and the timeline in cursor pages; another
workspace's contact is a 404."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.cases import actions as cases
from rapport.contacts.models import Account
from rapport.core.roles import Role
from rapport.inbox.tests import factories as inbox
from rapport.profile import timeline
from rapport.profile.tests import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


@pytest.fixture
def customer(acme, owner):
    c = f.contact(acme, "Jonathan Smith", segment="Mass affluent", tier="gold")
    mortgage, current, insurance = (
        f.product(acme, n) for n in ("Mortgage", "Current account", "Home insurance")
    )
    for i in range(25):
        f.order(f.contact(acme, f"Peer {i}", segment="Mass affluent"), mortgage, insurance)
        f.order(f.contact(acme, f"Saver {i}", segment="Mass affluent"), current)
    f.order(c, mortgage, total="1200.50")
    f.order(c, mortgage, total="99.00", status="cancelled")
    f.account(c, "Mortgage", status=Account.State.IN_ARREARS, product=mortgage)
    f.identity(c, acme, "j_smith", profile_url="javascript:alert(1)")
    post = inbox.post(acme, "Payment taken twice", author="j_smith_m")
    f.link(post, c)
    cases.create_case(owner, subject="Payment taken twice", customer=c)
    timeline.backfill(c)
    return c


def test_the_profile_as_json(api_client, agent, customer):
    body = api_client(agent).get(f"{API}/contacts/{customer.pk}/profile").json()
    assert body["name"] == "Jonathan Smith"
    assert body["tier"] == "gold"
    assert {"name": "Segment", "value": "Mass affluent"} in body["facts"]
    [value] = body["value"]["lifetime_value"]  # the cancelled order counts for nothing
    assert (value["currency"], Decimal(value["total"])) == ("GBP", Decimal("1200.50"))
    assert body["value"]["account_status"] == "in arrears"
    handles = {i["handle"]: i["profile_url"] for i in body["identities"]}
    assert handles["j_smith"] == ""  # a javascript: address is never handed out
    assert [c["subject"] for c in body["open_cases"]] == ["Payment taken twice"]
    assert body["recent_posts"][0]["text"] == "Payment taken twice"
    assert body["recent_posts"][0]["sentiment"] == "negative"
    assert body["suggestions"][0]["product"] == "Home insurance"
    assert body["suggestions"][0]["sentence"].startswith(
        "Customers in the Mass affluent segment who hold a Mortgage often add Home insurance"
    )
    assert {r["code"] for r in body["risks"]} >= {"arrears", "complaints"}
    kinds = {e["kind"] for e in body["timeline"]["items"]}
    assert kinds == {"post", "case", "order"}
    assert body["sentiment_trend"][-1]["mean"] == -1.0


def test_the_timeline_in_cursor_pages(api_client, agent, customer):
    now = timezone.now()
    for i in range(7):
        timeline.add_entry(
            customer, occurred_at=now - timedelta(days=i), kind="call", title=f"c{i}"
        )
    client = api_client(agent)
    first = client.get(f"{API}/contacts/{customer.pk}/timeline", {"limit": 4}).json()
    assert len(first["items"]) == 4
    assert first["next_cursor"]
    rest = client.get(
        f"{API}/contacts/{customer.pk}/timeline", {"limit": 100, "cursor": first["next_cursor"]}
    ).json()
    assert rest["next_cursor"] == ""
    ids = [e["id"] for e in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 7 + 4  # 7 calls, a post, a case, two orders
    calls = client.get(f"{API}/contacts/{customer.pk}/timeline", {"kind": "call"}).json()
    assert [e["title"] for e in calls["items"]] == [f"c{i}" for i in range(7)]
    bad = client.get(f"{API}/contacts/{customer.pk}/timeline", {"cursor": "zzz"})
    assert bad.status_code == 400
    assert "cursor" in bad.content.decode()
    unknown = client.get(f"{API}/contacts/{customer.pk}/timeline", {"kind": "fax"})
    assert unknown.status_code == 400
    assert "Unknown kind" in unknown.content.decode()


def test_another_workspaces_contact_is_a_404(api_client, globex, customer):
    from rapport.core.models import Membership

    stranger = api_client(Membership.objects.get(workspace=globex, role=Role.OWNER))
    assert stranger.get(f"{API}/contacts/{customer.pk}/profile").status_code == 404
    assert stranger.get(f"{API}/contacts/{customer.pk}/timeline").status_code == 404
    assert stranger.get(f"{API}/contacts/999999/profile").status_code == 404
