"""`rapport demo`: the Acme Bank workspace with its teams and people, its logins printed; running
it again duplicates nothing."""

import io

from django.core.management import call_command

from rapport.core.models import DEMO_WORKSPACE_SLUG, AuditEvent, Membership, Team, Workspace
from rapport.demo import workspace


def test_demo_is_idempotent_and_prints_logins(db):
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = (
        Workspace.objects.count(),
        Membership.objects.count(),
        Team.objects.count(),
        AuditEvent.objects.count(),
    )
    call_command("demo", stdout=io.StringIO())
    assert counts == (
        Workspace.objects.count(),
        Membership.objects.count(),
        Team.objects.count(),
        AuditEvent.objects.count(),
    )
    acme = Workspace.objects.get(slug=DEMO_WORKSPACE_SLUG)
    assert acme.name == "Acme Bank"
    assert set(Team.objects.filter(workspace=acme).values_list("name", flat=True)) == set(
        workspace.TEAMS
    )
    assert Membership.objects.filter(workspace=acme).count() == len(workspace.PEOPLE) >= 12
    assert {m.role for m in Membership.objects.filter(workspace=acme)} == {
        "owner",
        "admin",
        "manager",
        "agent",
        "employee",
        "viewer",
    }
    text = out.getvalue()
    assert [line for line in text.splitlines() if "demo data:" in line] == [
        f"  demo data: {name}"
        for name in (
            "Workspaces and people",
            "Contacts",
            "Listening",
            "Triage",
            "Cases",
            "Playbooks",
            "SLAs and business hours",
            "Inbox",
            "Engagement",
            "People",
            "Notifications",
            "Ideas",
            "Recognition",
        )
    ]
    assert workspace.DEMO_PASSWORD in text
    for person in workspace.PEOPLE:
        assert person.email in text
    titles = dict(Membership.objects.filter(workspace=acme).values_list("user__email", "title"))
    assert titles == {p.email: p.title for p in workspace.PEOPLE}
    maya = Membership.objects.get(workspace=acme, user__email="maya@acme.example")
    assert maya.user.check_password(workspace.DEMO_PASSWORD)
    assert maya.role == "manager"
    assert maya.teams.get().name == "Social Care"
