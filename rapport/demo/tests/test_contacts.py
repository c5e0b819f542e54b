"""The demo's customers: thousands with accounts, purchases and consent; the authors of demo
posts and the demo cases' customers have rich profiles; some identities are left for identity
resolution; loading twice adds nothing."""

import pytest
from django.core.management import call_command

from rapport.cases.models import Case
from rapport.contacts.models import Account, Consent, Contact, Identity, Order
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role
from rapport.demo import contact_imports, linkage
from rapport.demo import contacts as demo
from rapport.inbox.models import Conversation
from rapport.profile.build import build_profile
from rapport.profile.models import TimelineEntry

pytestmark = pytest.mark.django_db


def test_the_demo_customers_fill_every_profile_section():
    call_command("demo", "--quiet-logins")
    acme = Workspace.objects.get(slug="acme")
    owner = Membership.objects.get(workspace=acme, role=Role.OWNER)
    assert Contact.objects.filter(workspace=acme).count() > demo.CUSTOMERS
    assert Account.objects.filter(workspace=acme, status="in_arrears").exists()
    assert Order.objects.filter(workspace=acme).count() > 5000
    assert Consent.objects.filter(workspace=acme, granted=False).exists()
    assert len(set(Identity.objects.filter(workspace=acme).values_list("network", flat=True))) >= 4

    # every demo case has a customer, and the conversation's author is the dispute's customer
    cases = Case.objects.filter(workspace=acme)
    assert not cases.filter(customer__isnull=True).exists()
    dispute = cases.get(subject="Mortgage payment taken twice")
    assert dispute.conversation is not None
    assert dispute.conversation.identity is not None
    assert dispute.conversation.identity.contact_id == dispute.customer_id

    assert dispute.customer is not None
    profile = build_profile(owner, dispute.customer)
    assert profile.identities
    assert profile.accounts
    assert profile.orders
    assert profile.open_cases
    assert profile.recent_posts
    assert profile.trend
    assert {e.kind for e in profile.timeline.entries} >= {"post", "case"}
    linked = Conversation.objects.filter(workspace=acme, identity__contact__isnull=False)
    assert linked.count() > 20

    jon = Contact.objects.get(workspace=acme, external_id="C-JSMITH")
    sentences = [s.sentence for s in build_profile(owner, jon).suggestions]
    assert any("Home insurance" in s for s in sentences), sentences

    # left for identity resolution: a nickname and a typo, with the birth year in the handle
    hidden = Identity.objects.filter(workspace=acme, external_id__startswith="demo-hidden-")
    assert hidden.exists()
    assert not hidden.filter(contact__isnull=False).exists()
    assert Contact.objects.filter(workspace=acme, source="erp").exists()

    counts = (Contact.objects.count(), TimelineEntry.objects.count(), Identity.objects.count())
    for step in (contact_imports.load, demo.load, demo.finish, linkage.finish):
        step(acme, owner)
    assert (Contact.objects.count(), TimelineEntry.objects.count(), Identity.objects.count()) == (
        counts
    )
