"""The inbox pages: the list and its fragment, filters and views, keyboard actions, a
conversation with its thread, notes and hand-off, capture, rules; escaping and tenancy."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from rapport.cases import actions as cases
from rapport.cases.models import CaseType
from rapport.contacts.models import Consent, Contact, Identity
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.inbox import actions
from rapport.inbox.models import Conversation, RoutingRule, Status
from rapport.inbox.tests.factories import conversation, team
from rapport.people import actions as people

pytestmark = pytest.mark.django_db


def client_for(member: Membership) -> Client:
    c = Client()
    c.force_login(member.user)
    return c


@pytest.fixture
def agent(acme, make_member):
    return make_member(acme, Role.AGENT, email="sam@acme.example")


def url(name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=["acme", *args])


def test_the_inbox_lists_open_conversations_escaped(acme, agent):
    conversation(acme, "<script>alert(1)</script> my card is frozen", author="evil")
    closed = conversation(acme, "thanks, sorted", author="kim")
    Conversation.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    response = client_for(agent).get(url("inbox"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my card is frozen" in html
    assert "<script>alert(1)" not in html
    assert "thanks, sorted" not in html  # the default view is open conversations
    assert "1 conversation" in html


def test_filters_and_views_narrow_the_list_and_the_fragment_is_the_same_template(acme, agent):
    conversation(acme, "want a mortgage quote", author="lee", intent="lead", sentiment="neutral")
    conversation(acme, "app is broken", author="ann")
    c = client_for(agent)
    leads = c.get(url("inbox"), {"view": "leads"}).content.decode()
    assert "want a mortgage quote" in leads
    assert "app is broken" not in leads
    fragment = c.get(
        url("inbox"),
        {"intent": "complaint"},
        headers={"HX-Request": "true", "HX-Target": "inbox-list"},
    ).content.decode()
    assert fragment.lstrip().startswith("{#") or 'id="inbox-list"' in fragment
    assert "<html" not in fragment
    assert "app is broken" in fragment
    assert "want a mortgage quote" not in fragment
    search = c.get(url("inbox"), {"q": "mortgage", "status": ""}).content.decode()
    assert "want a mortgage quote" in search
    assert "app is broken" not in search
    bad = c.get(url("inbox"), {"priority": "extreme"}).content.decode()
    assert "Unknown priority" in bad


def test_empty_inbox_says_what_will_appear(acme, agent):
    html = client_for(agent).get(url("inbox")).content.decode()
    assert "Your inbox is empty: no conversations yet." in html
    assert "capture" in html


def test_keyset_pages_go_on_without_repeating(acme, agent):
    for i in range(55):
        conversation(acme, f"issue number {i}", author=f"u{i}")
    c = client_for(agent)
    first = c.get(url("inbox")).content.decode()
    assert "Older →" in first
    import re

    nxt = re.search(r'href="(\?[^"]*after=[^"]+)"', first)
    assert nxt
    second = c.get(url("inbox") + nxt.group(1).replace("&amp;", "&")).content.decode()
    firsts = set(re.findall(r'id="conv-(\d+)"', first))
    seconds = set(re.findall(r'id="conv-(\d+)"', second))
    assert len(firsts) == 50
    assert len(seconds) == 5
    assert not firsts & seconds


def test_bulk_and_keyboard_actions_assign_and_close(acme, agent):
    one = conversation(acme, "first", author="a")
    two = conversation(acme, "second", author="b")
    c = client_for(agent)
    response = c.post(
        url("inbox_bulk"),
        {"ids": [one.pk], "assignee": "me", "list_query": "view=open"},
        headers={"HX-Request": "true", "HX-Target": "inbox-list"},
    )
    assert response.status_code == 200
    one.refresh_from_db()
    assert one.assignee == agent
    c.post(url("inbox_bulk"), {"ids": [one.pk, two.pk], "status": "closed"})
    assert set(Conversation.objects.values_list("status", flat=True)) == {"closed"}


def test_a_saved_view_keeps_filters_for_its_owner(acme, agent):
    conversation(acme, "want a mortgage quote", author="lee", intent="lead")
    c = client_for(agent)
    response = c.post(url("inbox_view_save"), {"name": "My leads", "intent": "lead"})
    view = agent.saved_views.get()
    assert response["Location"].endswith(f"?view=saved-{view.pk}")
    html = c.get(response["Location"]).content.decode()
    assert "My leads" in html
    assert "want a mortgage quote" in html


def test_the_conversation_shows_thread_contact_history_and_takes_notes(acme, agent, owner):
    conv = conversation(acme, "<b>bold</b> my card was declined", author="jo")
    actions.assign(owner, conv, assignee=agent)
    c = client_for(agent)
    html = c.get(url("conversation", conv.pk)).content.decode()
    assert "&lt;b&gt;bold&lt;/b&gt; my card was declined" in html
    assert "@jo on mastodon" in html
    assert "set assignee" in html
    assert 'rel="noopener noreferrer nofollow"' in html
    response = c.post(url("conversation_note", conv.pk), {"body": "@nobody look"})
    assert response.status_code == 400
    assert "Nobody in this workspace is called @nobody" in response.content.decode()
    c.post(url("conversation_note", conv.pk), {"body": "Called them, card unblocked"})
    assert conv.notes.get().body == "Called them, card unblocked"


def test_the_collision_indicator_shows_a_colleague_typing(acme, agent, make_member):
    other = make_member(acme, Role.AGENT, email="priya@acme.example")
    conv = conversation(acme)
    client_for(other).post(url("conversation_presence", conv.pk), {"typing": "1"})
    html = client_for(agent).get(url("conversation", conv.pk)).content.decode()
    assert "is typing a reply" in html


def test_an_employee_hands_off_by_skill_from_the_page(acme, owner, make_member):
    employee = make_member(acme, Role.EMPLOYEE, email="tom@acme.example")
    engineer = make_member(acme, Role.EMPLOYEE, email="ravi@acme.example")
    engineer.title = "Mobile app engineer"
    engineer.save()
    rnd = team(owner, "R&D", engineer)
    people.set_member_skill(owner, engineer, skill="mobile app")
    conv = conversation(acme, "Would love dark mode in the app")
    response = client_for(employee).post(
        url("conversation_handoff", conv.pk),
        {"team": rnd.pk, "skill": "mobile app", "note": "An idea for you"},
    )
    assert response.status_code == 302
    conv.refresh_from_db()
    assert conv.assignee == engineer


def test_another_workspaces_conversation_is_a_404(acme, globex, agent):
    theirs = conversation(globex, "globex secret")
    c = client_for(agent)
    assert c.get(url("conversation", theirs.pk)).status_code == 404
    assert c.post(url("conversation_status", theirs.pk), {"status": "closed"}).status_code == 404
    assert c.post(url("inbox_bulk"), {"ids": [theirs.pk], "status": "closed"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW


def test_capture_page_pastes_a_post_and_offers_a_bookmarklet(acme, make_member):
    employee = make_member(acme, Role.EMPLOYEE)
    c = client_for(employee)
    page = c.get(url("inbox_capture"), {"url": "https://forum.example/t/1"}).content.decode()
    assert "javascript:(function(){window.open(" in page
    assert 'value="https://forum.example/t/1"' in page
    refused = c.post(url("inbox_capture"), {"url": "https://forum.example/t/1"})
    assert refused.status_code == 400
    assert "cannot fetch posts from forum.example" in refused.content.decode()
    done = c.post(
        url("inbox_capture"),
        {"url": "https://forum.example/t/1", "text": "Acme lost my transfer", "author": "lu"},
    )
    conv = Conversation.objects.get()
    assert done["Location"] == url("conversation", conv.pk)
    assert conv.captured_by == employee


def test_rules_page_previews_and_adds_a_rule_for_managers_only(acme, owner, agent):
    conversation(acme, "card declined")
    c = client_for(owner)
    form = {
        "name": "Complaints urgent",
        "match": "all",
        "conditions": '[{"field": "intent", "operator": "is", "value": "complaint"}]',
        "actions": '[{"type": "set_priority", "priority": "urgent"}]',
    }
    preview = c.post(url("inbox_rules"), {**form, "preview": "1"}).content.decode()
    assert "<strong>1</strong> would match" in preview
    assert not RoutingRule.objects.exists()
    bad = c.post(url("inbox_rules"), {**form, "conditions": '[{"field": "mood"}]'})
    assert bad.status_code == 400
    assert "unknown field &#x27;mood&#x27;" in bad.content.decode()
    assert c.post(url("inbox_rules"), form).status_code == 302
    assert RoutingRule.objects.get().name == "Complaints urgent"
    assert "Add a rule" not in client_for(agent).get(url("inbox_rules")).content.decode()


def test_a_rule_that_opens_a_typed_case_is_added_and_shown_in_words(acme, owner):
    disputes = CaseType.objects.create(workspace=acme, name="Payment dispute")
    back_office = team(owner, "Back office")
    c = client_for(owner)
    page = c.get(url("inbox_rules")).content.decode()
    assert "open a case: <code>" in page  # the help lists every registered action type
    assert f"Payment dispute = {disputes.pk}" in page
    step = {"type": "open_case", "case_type": disputes.pk, "team": back_office.pk}
    form = {"name": "Disputes", "match": "all", "conditions": "", "actions": json.dumps([step])}
    assert c.post(url("inbox_rules"), form).status_code == 302
    assert RoutingRule.objects.get().actions == [step]
    page = c.get(url("inbox_rules")).content.decode()
    assert "→ open a Payment dispute case for Back office" in page
    bad = c.post(
        url("inbox_rules"),
        {**form, "name": "Bad", "actions": '[{"type": "open_case", "case_type": 0}]'},
    )
    assert bad.status_code == 400
    assert "case_type must be between 1 and" in bad.content.decode()


def test_the_contact_panel_shows_the_consent_in_force_and_open_cases(acme, owner, agent):
    conv = conversation(acme, "my card was declined", author="jo")
    unknown = client_for(agent).get(url("conversation", conv.pk)).content.decode()
    assert "Consent: not recorded." in unknown
    dana = Contact.objects.create(workspace=acme, name="Dana Scully", do_not_contact=True)
    Identity.objects.filter(pk=conv.identity_id).update(contact=dana)
    now = timezone.now()
    for channel, granted, days_ago in (("email", False, 30), ("email", True, 2), ("sms", False, 5)):
        Consent.objects.create(
            workspace=acme,
            contact=dana,
            channel=channel,
            granted=granted,
            basis="consent",
            recorded_at=now - timedelta(days=days_ago),
        )
    theirs = cases.create_case(owner, subject="Card blocked", customer=dana)
    cases.create_case(owner, subject="Someone else's")
    html = client_for(agent).get(url("conversation", conv.pk)).content.decode()

    def day(days_ago: int) -> str:
        at = timezone.localtime(now - timedelta(days=days_ago))
        return format_date(at, "j M" if at.year == timezone.localdate().year else "j M Y")

    assert f"<li>Email: yes (consent, {day(2)})</li>" in html
    assert f"<li>SMS: no (consent, {day(5)})</li>" in html
    assert "Consent: not recorded." not in html
    assert "Do not contact" in html
    assert f"#{theirs.pk} Card blocked" in html
    assert "Someone else" not in html
