"""The demo shows approvals on cases: the payment dispute's credit waits for the Senior credit
officers (Ingrid), Tom's fee refund was approved by Ingrid, Ingrid delegates to Tom next week;
their My work pages show it. Loading again adds nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from rapport.approvals.models import Approval, Delegation
from rapport.cases.models import Case
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role
from rapport.demo import case_approvals
from rapport.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _page(email: str) -> str:
    client = Client()
    client.force_login(Membership.objects.get(user__email=email).user)
    return client.get("/w/acme/my-work/").content.decode()


def test_demo_approvals_show_on_my_work_for_ingrid_and_tom():
    call_command("demo", "--quiet-logins")
    acme = Workspace.objects.get(slug="acme")
    dispute = Case.objects.get(workspace=acme, subject="Mortgage payment taken twice")
    assert dispute.status == "waiting_approval"
    cases = Approval.objects.filter(workspace=acme, content_type__model="case")
    pending = cases.get(state="pending", object_id=dispute.pk)  # playbooks ask others too
    assert pending.asked_of == "the Senior credit officers team"
    assert pending.reminded_at is not None
    assert pending.escalated_at is not None
    assert Notification.objects.filter(
        kind="escalated", recipient__role=Role.ADMIN, text__contains="Credit €620 back"
    ).exists()
    decided = cases.get(state="approved", summary="Refund the €25 transfer fee")
    assert decided.decided_by is not None
    assert decided.decided_by.user.email == "ingrid@acme.example"
    fee = Case.objects.get(pk=decided.object_id)
    assert fee.status == "waiting_third_party"
    assert Delegation.objects.filter(
        delegator__user__email="ingrid@acme.example", delegate__user__email="tom@acme.example"
    ).exists()

    ingrid = _page("ingrid@acme.example")
    assert "Credit €620 back for the double mortgage collection" in ingrid
    assert "decides your approvals from" in ingrid
    tom = _page("tom@acme.example")
    assert "Refund the €25 transfer fee" in tom
    assert "approved by Ingrid Sorensen" in tom
    assert "Chase the receiving bank for the trace" in tom
    assert "You decide Ingrid Sorensen\u2019s approvals" in tom

    count = Approval.objects.count()
    case_approvals.load(acme, Membership.objects.get(workspace=acme, role=Role.OWNER))
    assert Approval.objects.count() == count
