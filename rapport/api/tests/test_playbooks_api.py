"""POST /api/v1/case-types/{id}/playbook: a multipart upload of a .bpmn and .dmn files."""

from collections.abc import Sequence

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rapport.cases import actions as case_actions
from rapport.core.roles import Role
from rapport.playbooks.models import Playbook
from rapport.playbooks.tests.factories import bank, library

pytestmark = pytest.mark.django_db


def _post(client, type_id: int, bpmn: str, dmn: Sequence[tuple[str, str]] = ()):
    data: dict = {"bpmn": SimpleUploadedFile("dispute.bpmn", bpmn.encode())}
    if dmn:
        data["dmn"] = [SimpleUploadedFile(name, text.encode()) for name, text in dmn]
    return client.post(f"/api/v1/case-types/{type_id}/playbook", data)


def test_an_admin_uploads_a_playbook(owner, api_client):
    b = bank(owner)
    response = _post(
        api_client(owner),
        b.case_type.pk,
        library("payment_dispute.bpmn"),
        [("credit_approval.dmn", library("credit_approval.dmn"))],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["active"] is True
    assert body["process_id"] == "payment_dispute"
    assert body["dmn_filenames"] == ["credit_approval.dmn"]
    assert body["steps"][2] == {
        "name": "Approve the credit",
        "kind": "approval",
        "lane": "Senior credit officer",
    }


def test_a_refused_file_answers_422_with_element_and_line(owner, api_client):
    b = bank(owner)
    bad = library("payment_dispute.bpmn").replace(
        ">approved</bpmn:conditionExpression>", ">__import__('os')</bpmn:conditionExpression>"
    )
    response = _post(api_client(owner), b.case_type.pk, bad)
    assert response.status_code == 422
    problems = {p["element"]: p for p in response.json()["problems"]}
    assert problems["sequenceFlow 'approval_yes'"]["line"] > 0
    assert "names starting with '_'" in problems["sequenceFlow 'approval_yes'"]["message"]
    assert (
        "'credit_approval', which is missing"
        in (problems["businessRuleTask 'check_threshold'"]["message"])
    )
    assert Playbook.objects.get(case_type=b.case_type, active=True).version == 1

    response = _post(api_client(owner), b.case_type.pk, "<not xml")
    assert response.status_code == 422
    assert response.json()["problems"][0]["line"] == 1


def test_a_missing_file_and_a_non_admin_are_refused(owner, acme, api_client, make_member):
    b = bank(owner)
    response = api_client(owner).post(f"/api/v1/case-types/{b.case_type.pk}/playbook", {})
    assert response.status_code == 422
    assert "bpmn" in response.json()["detail"]
    agent = make_member(acme, Role.AGENT)
    response = _post(api_client(agent), b.case_type.pk, library("payment_dispute.bpmn"))
    assert response.status_code == 403


def test_another_workspaces_case_type_is_not_found(owner, make_workspace, api_client):
    b = bank(owner)
    other = make_workspace("globex")
    stranger = other.memberships.get(role=Role.OWNER)
    response = _post(api_client(stranger), b.case_type.pk, library("payment_dispute.bpmn"))
    assert response.status_code == 404
    theirs = case_actions.create_case_type(stranger, name="Dispute")
    response = _post(api_client(owner), theirs.pk, library("payment_dispute.bpmn"))
    assert response.status_code == 404


def test_a_cases_playbook_reads_and_starts(owner, api_client):
    from rapport.playbooks.tests.factories import dispute

    b = bank(owner)
    client = api_client(b.sam)
    case = dispute(b, 620)
    body = client.get(f"/api/v1/cases/{case.pk}/playbook").json()
    assert body["status"] == "running"
    assert body["current_step"] == "Investigate the disputed payment"
    assert [s["state"] for s in body["steps"]][:3] == ["current", "future", "future"]
    assert body["steps"][0]["assignee"] == "sam"

    plain = case_actions.create_case(b.sam, subject="Charged twice", owner=b.sam)
    assert client.get(f"/api/v1/cases/{plain.pk}/playbook").status_code == 404
    started = client.post(
        f"/api/v1/cases/{plain.pk}/playbook",
        {"playbook_id": b.playbook.pk},
        content_type="application/json",
    )
    assert started.status_code == 201
    assert started.json()["current_step"] == "Investigate the disputed payment"
    again = client.post(f"/api/v1/cases/{plain.pk}/playbook", {}, content_type="application/json")
    assert again.status_code == 400
    assert "already running" in again.json()["detail"]
