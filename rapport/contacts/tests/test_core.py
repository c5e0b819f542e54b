import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from rapport.contacts import actions, selectors
from rapport.contacts.access import access_contact
from rapport.contacts.models import Consent, Contact, Identity, Interaction
from rapport.core.models import AuditEvent
from rapport.core.roles import Role


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT)


def test_create_contact_normalises_and_audits(agent):
    contact = actions.create_contact(
        agent,
        name="Maya Chen",
        email="Maya.Chen+x@Gmail.com",
        phone="01632 960961",
        birth_date="14/03/1990",
    )
    assert (contact.first_name, contact.last_name) == ("Maya", "Chen")
    assert contact.email_key == "mayachen@gmail.com"
    assert contact.phone == "+441632960961"
    assert str(contact.birth_date) == "1990-03-14"
    assert AuditEvent.objects.filter(verb="contact.create", object_id=str(contact.pk)).exists()


def test_create_contact_refuses_bad_input_with_the_field(agent):
    with pytest.raises(ValidationError) as exc:
        actions.create_contact(agent, name="X", email="not-an-email")
    assert "email" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.create_contact(agent, name="X", phone="123")
    assert "phone" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.create_contact(agent, first_name="", last_name="")
    assert not Contact.objects.exists()


def test_a_viewer_cannot_add_contacts(acme, make_member):
    with pytest.raises(PermissionDenied):
        actions.create_contact(make_member(acme, Role.VIEWER), name="Nobody")


def test_update_contact_keeps_names_and_email_key_in_step(agent):
    contact = actions.create_contact(agent, first_name="Sam", last_name="Okafor")
    assert contact.name == "Sam Okafor"
    actions.update_contact(agent, contact, last_name="Okafor-Reid", email="SAM@example.com")
    contact.refresh_from_db()
    assert contact.name == "Sam Okafor-Reid"
    assert contact.email_key == "sam@example.com"


def test_another_workspaces_contact_is_missing(agent, globex, make_member):
    contact = actions.create_contact(agent, name="Maya Chen")
    other = make_member(globex, Role.ADMIN)
    with pytest.raises(Http404):
        access_contact(other, contact.pk)
    with pytest.raises(ValidationError):
        actions.update_contact(other, contact, name="Stolen")
    assert access_contact(agent, contact.pk) == contact


def test_consent_is_appended_and_sets_do_not_contact(agent):
    contact = actions.create_contact(agent, name="Maya Chen")
    actions.record_consent(agent, contact, "email", True, "consent", "web form")
    actions.record_consent(agent, contact, "all", False, "", "phone call")
    contact.refresh_from_db()
    assert contact.do_not_contact is True
    assert contact.lawful_basis == "consent"
    assert Consent.objects.filter(contact=contact).count() == 2
    actions.record_consent(agent, contact, "sms", True, "", "branch")
    contact.refresh_from_db()
    assert contact.do_not_contact is False
    with pytest.raises(ValidationError):
        actions.record_consent(agent, contact, "email", True, "because", "")


def test_log_interaction(agent):
    contact = actions.create_contact(agent, name="Maya Chen")
    interaction = actions.log_interaction(
        agent, contact, "call", "Mortgage question", "Asked about fixed rates", "inbound"
    )
    assert Interaction.objects.get() == interaction
    assert (interaction.contact, interaction.kind, interaction.direction) == (
        contact,
        "call",
        "inbound",
    )
    with pytest.raises(ValidationError):
        actions.log_interaction(agent, contact, "fax", "x", "", "")


def test_delete_needs_a_manager(agent, acme, make_member):
    contact = actions.create_contact(agent, name="Maya Chen")
    with pytest.raises(PermissionDenied):
        actions.delete_contact(agent, contact)
    actions.delete_contact(make_member(acme, Role.MANAGER), contact)
    assert not Contact.objects.exists()


def test_search_by_name_prefix_email_phone_and_handle(agent):
    actions.create_contact(agent, name="Maya Chen", email="maya@example.com", phone="+441632960961")
    sam = actions.create_contact(agent, name="Sam Okafor", email="sam.o@gmail.com")
    Identity.objects.create(
        workspace=agent.workspace, network="mastodon", external_id="1", handle="samo", contact=sam
    )

    def found(q):
        return [c.name for c in selectors.contact_page(agent, q=q).items]

    assert found("may") == ["Maya Chen"]
    assert found("CHEN") == ["Maya Chen"]
    assert found("maya@ex") == ["Maya Chen"]
    assert found("s.a.m.o@gmail.com") == ["Sam Okafor"]
    assert found("01632 960961") == ["Maya Chen"]
    assert found("@samo") == ["Sam Okafor"]
    assert found("samo") == ["Sam Okafor"]
    assert found("zed") == []


def test_merged_contacts_are_hidden_and_pages_are_counted(agent):
    for i in range(30):
        actions.create_contact(agent, name=f"Person {i:02d}")
    survivor, merged = Contact.objects.order_by("id")[:2]
    Contact.objects.filter(pk=merged.pk).update(merged_into=survivor)
    page = selectors.contact_page(agent, page=2)
    assert page.count == 29
    assert page.pages == 2
    assert len(page.items) == 4
    with pytest.raises(ValidationError):
        selectors.contact_page(agent, tier="diamond")
