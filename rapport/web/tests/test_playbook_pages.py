"""Settings → Playbooks and the case page's playbook panel, as admins and agents use them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rapport.cases import actions as case_actions
from rapport.cases.models import Task
from rapport.core.roles import Role
from rapport.playbooks.models import Playbook, PlaybookRun
from rapport.playbooks.tests.factories import bank, dispute, library

pytestmark = pytest.mark.django_db


def _url(name: str, *args) -> str:
    return reverse(f"web:{name}", args=["acme", *args])


def _files(bpmn: str, dmn: str | None = None) -> dict:
    data: dict[str, object] = {
        "bpmn": SimpleUploadedFile("dispute.bpmn", bpmn.encode(), "application/xml")
    }
    if dmn is not None:
        data["dmn"] = [SimpleUploadedFile("credit_approval.dmn", dmn.encode(), "application/xml")]
    return data


def test_an_admin_uploads_a_playbook_and_sees_it_listed(owner, owner_client):
    b = bank(owner)
    page = owner_client.get(_url("settings_playbooks")).content.decode()
    assert "Payment dispute" in page
    assert "Upload a playbook" in page
    response = owner_client.post(
        _url("settings_playbooks_upload"),
        {
            "case_type": b.case_type.pk,
            **_files(library("payment_dispute.bpmn"), library("credit_approval.dmn")),
        },
    )
    assert response.status_code == 302
    assert Playbook.objects.get(case_type=b.case_type, active=True).version == 2
    page = owner_client.get(_url("settings_playbooks")).content.decode()
    assert "v2" in page
    assert 'Approve the credit <span class="muted">· approval by Senior credit officer' in page
    assert "credit_approval.dmn" in page


def test_a_refused_upload_lists_each_problem_with_element_and_line(owner, owner_client):
    b = bank(owner)
    bad = library("payment_dispute.bpmn").replace(
        'name="Senior credit officer"', 'name="&lt;b&gt;Chief&lt;/b&gt;"'
    )
    response = owner_client.post(
        _url("settings_playbooks_upload"), {"case_type": b.case_type.pk, **_files(bad)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The playbook was not saved" in html
    assert "lane &#x27;lane_senior&#x27;" in html  # the element, escaped
    assert "&lt;b&gt;Chief&lt;/b&gt;" in html  # the file's text is never markup
    assert "businessRuleTask &#x27;check_threshold&#x27;" in html  # no DMN uploaded
    assert Playbook.objects.get(case_type=b.case_type, active=True).version == 1


def test_only_admins_see_the_playbooks_settings(acme, owner, signed_in, make_member):
    bank(owner)
    agent = signed_in(make_member(acme, Role.AGENT))
    assert agent.get(_url("settings_playbooks")).status_code == 403
    assert agent.post(_url("settings_playbooks_upload"), {"case_type": 1}).status_code == 403


def test_the_case_page_shows_the_steps_and_their_people(owner, signed_in):
    b = bank(owner)
    case = dispute(b, 620)
    sam = signed_in(b.sam)
    html = sam.get(_url("case", case.pk)).content.decode()
    assert "Playbook: Payment dispute" in html
    assert 'data-state="current" aria-current="step"' in html
    assert "Investigate the disputed payment" in html
    assert "approval by Senior credit officer" in html
    sam.post(_url("case_task_status", Task.objects.get(case=case).pk), {"status": "done"})
    html = sam.get(_url("case", case.pk)).content.decode()
    assert "Waiting on approval" in html
    assert "2 of 6 steps done" in html


def test_an_agent_cancels_and_starts_a_playbook_from_the_case(owner, signed_in):
    b = bank(owner)
    case = case_actions.create_case(b.sam, subject="No type yet", owner=b.sam)
    sam = signed_in(b.sam)
    html = sam.get(_url("case", case.pk)).content.decode()
    assert "Run a playbook" in html
    sam.post(_url("case_playbook_start", case.pk), {"playbook": b.playbook.pk})
    assert PlaybookRun.objects.get(case=case).status == "running"
    case.refresh_from_db()
    assert case.case_type == b.case_type  # it takes the playbook's type, and its fields
    assert Task.objects.filter(case=case, title="Investigate the disputed payment").exists()
    sam.post(_url("case_playbook_cancel", case.pk))
    assert PlaybookRun.objects.get(case=case).status == "cancelled"
    html = sam.get(_url("case", case.pk)).content.decode()
    assert "Run again" in html


def test_another_workspaces_playbook_and_case_are_not_found(owner, make_workspace, signed_in):
    b = bank(owner)
    case = dispute(b, 50)
    other = make_workspace("globex")
    stranger = signed_in(other.memberships.get(role=Role.OWNER))
    assert (
        stranger.post(
            reverse("web:case_playbook_start", args=["globex", case.pk]),
            {"playbook": b.playbook.pk},
        ).status_code
        == 404
    )
    assert (
        stranger.post(
            reverse("web:settings_playbook_deactivate", args=["globex", b.playbook.pk])
        ).status_code
        == 404
    )
    assert Playbook.objects.get(pk=b.playbook.pk).active


def test_the_step_waiting_now_shows_its_form_to_its_assignee(owner, signed_in):
    b = bank(owner)
    case = dispute(b, 120)
    case_actions.update_task(b.sam, Task.objects.get(case=case), status="done")
    credit = Task.objects.get(case=case, status="open")
    assert credit.title == "Issue the credit"
    tom = signed_in(b.tom)
    html = tom.get(_url("case", case.pk)).content.decode()
    assert "Complete “Issue the credit”" in html
    assert 'name="credit_reference"' in html
    step = credit.playbook_step
    response = tom.post(_url("case_playbook_step", step.pk), {"credit_reference": ""})
    assert response.status_code == 302
    credit.refresh_from_db()
    assert credit.status == "open"  # the reference is required
    tom.post(_url("case_playbook_step", step.pk), {"credit_reference": "CR-1001"})
    credit.refresh_from_db()
    assert credit.status == "done"
    assert Task.objects.get(case=case, status="open").title == (
        "Tell the customer the credit is issued"
    )


def test_a_failed_playbook_says_why_and_can_be_retried(owner, signed_in):
    from rapport.core import actions as core_actions

    b = bank(owner)
    case = dispute(b, 120)
    credit = b.workspace.teams.get(name="Credit")
    for member in (b.tom, b.ingrid):
        core_actions.remove_team_member(b.owner, credit, member)
    case_actions.update_task(b.sam, Task.objects.get(case=case), status="done")
    sam = signed_in(b.sam)
    html = sam.get(_url("case", case.pk)).content.decode()
    assert "The playbook stopped: Step &#x27;Issue the credit&#x27;" in html
    assert "Retry from where it stopped" in html
    core_actions.add_team_member(b.owner, credit, b.tom)
    sam.post(_url("case_playbook_retry", case.pk))
    assert PlaybookRun.objects.get(case=case).status == "running"
    assert Task.objects.get(case=case, status="open").title == "Issue the credit"
