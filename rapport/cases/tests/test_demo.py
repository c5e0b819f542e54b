"""The demo holds cases across teams in every state, with tasks and comments; loading twice
adds nothing."""

import pytest
from django.core.management import call_command

from rapport.cases import demo as cases_demo
from rapport.cases.models import Case, Status
from rapport.core.models import Membership, Workspace
from rapport.core.roles import Role

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
    count = cases.count()
    cases_demo.load(acme, Membership.objects.get(workspace=acme, role=Role.OWNER))
    assert Case.objects.filter(workspace=acme).count() == count
