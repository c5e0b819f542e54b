"""The demo holds cases across teams in every state, with tasks and comments; loading twice
adds nothing."""

import pytest
from django.core.management import call_command
from django.test import Client

from rapport.cases.models import Activity, Case, Comment, Status
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role
from rapport.demo import cases as cases_demo

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_every_state_and_team():
    call_command("demo", "--quiet-logins")
    acme = Workspace.objects.get(slug="acme")
    cases = Case.objects.filter(workspace=acme)
    assert set(cases.values_list("status", flat=True)) == set(Status.values)
    assert len(set(cases.values_list("team__name", flat=True))) >= 5
    dispute = cases.get(subject="Mortgage payment taken twice")
    assert dispute.conversation is not None
    assert dispute.tasks.filter(assignee__user__email="ingrid@acme.example", status="open").exists()
    assert dispute.comments.filter(public=True).exists()
    assert dispute.comments.filter(mentions__user__email="ingrid@acme.example").exists()
    assert dispute.case_type is not None
    assert dispute.case_type.name == "Payment dispute"
    assert dispute.custom_fields == {"amount": 620, "account_number": "40118832"}
    assert "account_number" in dispute.case_type.schema["properties"]
    assert dispute.merged_cases.filter(subject="Charged twice for my mortgage in May").exists()
    link = dispute.public_links.get(revoked_at__isnull=True)
    page = Client().get(f"/status/{link.token}/").content.decode()
    assert "A senior credit officer is reviewing the €620 refund" in page
    defect = cases.get(subject="App logs customers out after the 4.2 update")
    assert defect.children.filter(subject="Ship app 4.2.1 with the session refresh fix").exists()
    assert Comment.objects.filter(case__workspace=acme, team_mentions__name="Social Care").exists()
    assert Activity.objects.filter(case=dispute).count() > 5
    count = cases.count()
    cases_demo.load(acme, Membership.objects.get(workspace=acme, role=Role.OWNER))
    assert Case.objects.filter(workspace=acme).count() == count
