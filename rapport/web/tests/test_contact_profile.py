"""The 360° profile page: its sections, escaping of customer and social text, logging a call,
the timeline fragment, the side panel in the inbox and on a case, and tenancy."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.cases import actions as cases
from rapport.contacts.models import Account, Consent, Interaction
from rapport.core.roles import Role
from rapport.inbox.tests import factories as inbox
from rapport.profile import timeline
from rapport.profile.models import TimelineEntry
from rapport.profile.tests import factories as f


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


@pytest.fixture
def customer(acme, owner):
    c = f.contact(
        acme,
        "Jonathan Smith",
        segment="Mass affluent",
        tier="gold",
        city="Leeds",
        country="GB",
        language="en",
        tags=["vip"],
        attributes={"Branch": "Leeds Briggate"},
    )
    mortgage, current, insurance = (
        f.product(acme, "Mortgage"),
        f.product(acme, "Current account"),
        f.product(acme, "Home insurance"),
    )
    for i in range(25):  # similar customers who added home insurance
        other = f.contact(acme, f"Peer {i}", segment="Mass affluent")
        f.order(other, mortgage, current, insurance)
    for i in range(25):  # and others who did not
        f.order(f.contact(acme, f"Saver {i}", segment="Mass affluent"), f.product(acme, "Savings"))
    f.order(c, mortgage, total="1500.00")
    f.order(c, current, total="0.00", status="refunded")
    f.account(c, "Mortgage", status=Account.State.IN_ARREARS, product=mortgage)
    f.account(c, "Current account", product=current)
    f.identity(c, acme, "j_smith", profile_url="https://mastodon.example/@j_smith")
    Consent.objects.create(
        workspace=acme, contact=c, channel="email", granted=True, basis="consent",
        source="branch form", recorded_at=timezone.now() - timedelta(days=30),
    )  # fmt: skip
    Consent.objects.create(
        workspace=acme, contact=c, channel="email", granted=False, source="unsubscribe link",
        recorded_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    return c


def url(contact, **query):
    base = reverse("web:contact", args=[contact.workspace.slug, contact.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_profile_shows_every_section(signed_in, agent, acme, owner, customer):
    post = inbox.post(acme, "My mortgage payment was taken twice!", author="j_smith")
    f.link(post, customer)
    inbox.arrive(acme, post)
    cases.create_case(owner, subject="Mortgage payment taken twice", customer=customer)
    timeline.backfill(customer)

    page = signed_in(agent).get(url(customer))
    assert page.status_code == 200
    html = page.content.decode()
    for text in (
        "Jonathan Smith",
        "Gold",
        "Mass affluent",
        "Leeds, GB",
        "Leeds Briggate",  # a custom attribute
        "@j_smith",
        'href="https://mastodon.example/@j_smith"',
        "GBP 1,500.00",  # lifetime value: the refunded order counts for nothing
        "In arrears",
        "Mortgage payment taken twice",  # the open case
        "My mortgage payment was taken twice!",  # a recent post
        "sentiment-negative",
        "Suggest Home insurance",
        "Customers in the Mass affluent segment who hold a Mortgage and a Current account",
        "In arrears on: Mortgage.",
        "Sentiment trend",
        "email</span>: no",  # the consent in force is the newest
        "branch form",  # and the history keeps the older one
        "Log a call or email",
    ):
        assert text in html, text
    assert (
        html.count('class="timeline-entry')
        == TimelineEntry.objects.filter(contact=customer).count()
    )


def test_customer_and_social_text_is_escaped_and_only_http_links_are_kept(signed_in, agent, acme):
    evil = f.contact(acme, "<script>alert(1)</script> Smith", attributes={"<b>x</b>": "<i>y</i>"})
    f.identity(evil, acme, "<img src=x onerror=alert(1)>", profile_url="javascript:alert(1)")
    post = inbox.post(acme, "<script>steal()</script>", author="evil")
    f.link(post, evil)
    timeline.backfill(evil)
    html = signed_in(agent).get(url(evil)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)" in html
    assert "<script>steal()</script>" not in html
    assert "<img src=x" not in html
    assert "<b>x</b>" not in html
    assert "javascript:alert" not in html


def test_logging_a_call_is_one_click_and_lands_on_the_timeline(signed_in, agent, customer):
    client = signed_in(agent)
    log = reverse("web:contact_log", args=[customer.workspace.slug, customer.pk])
    response = client.post(log, {"kind": "call", "direction": "inbound", "subject": "Arrears plan"})
    assert response.status_code == 302
    assert Interaction.objects.filter(contact=customer, kind="call").count() == 1
    page = client.get(url(customer)).content.decode()
    assert "Arrears plan" in page
    assert "Call logged on the timeline." in page
    refused = client.post(log, {"kind": "telegram"})
    assert refused.status_code == 302
    assert Interaction.objects.filter(contact=customer).count() == 1


def test_the_timeline_filters_and_pages_as_a_fragment(signed_in, agent, customer):
    now = timezone.now()
    for i in range(30):
        timeline.add_entry(
            customer, occurred_at=now - timedelta(minutes=i), kind="post", title=f"post {i}"
        )
    timeline.add_entry(customer, occurred_at=now, kind="call", title="The only call")
    client = signed_in(agent)
    frag = reverse("web:contact_timeline", args=[customer.workspace.slug, customer.pk])
    calls = client.get(frag + "?kind=call", HTTP_HX_REQUEST="true").content.decode()
    assert "The only call" in calls
    assert "post 1" not in calls
    assert "<html" not in calls
    first = client.get(frag, HTTP_HX_REQUEST="true").content.decode()
    assert 'rel="next"' in first
    assert "post 25" not in first
    cursor = first.split("cursor=")[1].split("&")[0].split('"')[0]
    older = client.get(frag + f"?cursor={cursor}", HTTP_HX_REQUEST="true").content.decode()
    assert "post 29" in older
    assert "post 0<" not in older
    bad = client.get(url(customer, cursor="garbage"))
    assert bad.status_code == 302


def test_another_workspaces_contact_is_a_404(signed_in, globex, make_member, customer):
    stranger = make_member(globex, Role.OWNER, email="boss@globex.example")
    client = signed_in(stranger)
    assert client.get(url(customer).replace("/acme/", "/globex/")).status_code == 404
    frag = reverse("web:contact_timeline", args=["globex", customer.pk])
    assert client.get(frag).status_code == 404
    log = reverse("web:contact_log", args=["globex", customer.pk])
    assert client.post(log, {"kind": "call", "subject": "x"}).status_code == 404
    assert not Interaction.objects.exists()


def test_the_inbox_conversation_shows_the_compact_profile(signed_in, agent, acme, customer):
    post = inbox.post(acme, "Help with my mortgage", author="jsmith_panel")
    f.link(post, customer)
    grouped = inbox.arrive(acme, post)
    conv = grouped.placed[0].conversation
    html = signed_in(agent).get(reverse("web:conversation", args=["acme", conv.pk])).content
    html = html.decode()
    assert f'href="/w/acme/contacts/{customer.pk}/"' in html
    assert "Suggest Home insurance" in html
    assert "Open the full profile" in html


def test_the_case_page_shows_the_compact_profile(signed_in, agent, owner, customer):
    case = cases.create_case(owner, subject="Arrears", customer=customer)
    html = signed_in(agent).get(reverse("web:case", args=["acme", case.pk])).content.decode()
    assert "Open the full profile" in html
    assert "In arrears on: Mortgage." in html
