"""The Cases pages: the list with filters, search and pages, a case's page with its allowed
transitions, tasks and comments, opening a case from a conversation, escaping and tenancy."""

import pytest
from django.urls import reverse

from rapport.cases import actions
from rapport.cases.models import Case
from rapport.core.models import Membership
from rapport.core.roles import Role
from rapport.inbox.tests.factories import conversation

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=["acme", *args])


def test_empty_list_then_open_a_case_by_hand(owner_client):
    page = owner_client.get(_url("cases"))
    assert "No cases yet" in page.content.decode()
    response = owner_client.post(
        _url("case_create"), {"subject": "Refund <b>now</b>", "priority": "high"}
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("case", case.pk)
    html = owner_client.get(_url("case", case.pk)).content.decode()
    assert "Refund &lt;b&gt;now&lt;/b&gt;" in html
    assert "Open: open" in html
    bad = owner_client.post(_url("case_create"), {"subject": "", "priority": "high"})
    assert bad.status_code == 400
    assert "This field is required" in bad.content.decode()


def test_list_filters_searches_and_pages(owner, owner_client):
    for i in range(27):
        actions.create_case(owner, subject=f"Card question {i}")
    mortgage = actions.create_case(owner, subject="Mortgage dispute")
    actions.transition(owner, mortgage, to="open")
    html = owner_client.get(_url("cases")).content.decode()
    assert "28 cases" in html
    assert "Page 1 of 2" in html
    assert (
        "Mortgage dispute" in owner_client.get(_url("cases"), {"status": "open"}).content.decode()
    )
    assert (
        "Card question" not in owner_client.get(_url("cases"), {"status": "open"}).content.decode()
    )
    found = owner_client.get(_url("cases"), {"q": "mortgage"}, HTTP_HX_REQUEST="true")
    assert "Mortgage dispute" in found.content.decode()
    assert "<html" not in found.content.decode()
    none = owner_client.get(_url("cases"), {"q": "nothing like it"}).content.decode()
    assert "No case matches these filters" in none
    bad = owner_client.get(_url("cases"), {"status": "asleep"}).content.decode()
    assert "Unknown status" in bad


def test_transitions_tasks_and_comments_on_the_case_page(acme, owner, owner_client, make_member):
    officer = make_member(acme, Role.EMPLOYEE, email="olga@acme.example")
    case = actions.create_case(owner, subject="Charged twice")
    owner_client.post(_url("case_transition", case.pk), {"to": "open"})
    owner_client.post(
        _url("case_task_add", case.pk), {"title": "Approve credit", "assignee": officer.pk}
    )
    task = case.tasks.get()
    assert task.assignee == officer
    refused = owner_client.post(_url("case_transition", case.pk), {"to": "resolved"}, follow=True)
    assert "1 task still open" in refused.content.decode()
    owner_client.post(_url("case_task_status", task.pk), {"status": "done"})
    owner_client.post(_url("case_comment", case.pk), {"body": "@olga <script>x</script> thanks"})
    owner_client.post(_url("case_comment", case.pk), {"body": "Refund issued", "public": "on"})
    owner_client.post(_url("case_transition", case.pk), {"to": "resolved"})
    case.refresh_from_db()
    assert case.status == "resolved"
    html = owner_client.get(_url("case", case.pk)).content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "public update for the customer" in html
    late = owner_client.post(
        _url("case_task_add", case.pk), {"title": "x", "due_date": "2001-01-01"}
    )
    assert late.status_code == 400
    assert "in the past" in late.content.decode()


def test_open_a_case_from_a_conversation(acme, owner_client):
    conv = conversation(acme, "You charged me twice", author="payer")
    page = owner_client.get(reverse("web:conversation", args=["acme", conv.pk])).content.decode()
    assert "Open a case" in page
    response = owner_client.post(_url("case_from_conversation", conv.pk))
    case = Case.objects.get(conversation=conv)
    assert response["Location"] == _url("case", case.pk)
    html = owner_client.get(_url("case", case.pk)).content.decode()
    assert f"conversation #{conv.pk}" in html
    panel = owner_client.get(reverse("web:conversation", args=["acme", conv.pk])).content.decode()
    assert f"#{case.pk} {case.subject}" in panel
    again = owner_client.post(_url("case_from_conversation", conv.pk))
    assert again["Location"] == _url("case", case.pk)
    assert Case.objects.filter(conversation=conv).count() == 1


def test_another_workspaces_case_is_404(acme, globex, owner, signed_in):
    case = actions.create_case(owner, subject="Private")
    task = actions.add_task(owner, case, title="Secret")
    stranger = signed_in(Membership.objects.get(workspace=globex, role=Role.OWNER))
    assert stranger.get(reverse("web:case", args=["globex", case.pk])).status_code == 404
    assert (
        stranger.post(
            reverse("web:case_transition", args=["globex", case.pk]), {"to": "open"}
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            reverse("web:case_task_status", args=["globex", task.pk]), {"status": "done"}
        ).status_code
        == 404
    )
    assert "Private" not in stranger.get(reverse("web:cases", args=["globex"])).content.decode()
    assert Case.objects.get(pk=case.pk).status == "new"
