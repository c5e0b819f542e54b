"""`rapport bench load`: the workspace its simulated people work in, and its refusals. The load
itself (processes, Locust) is run by the command, not by tests: its figures are measured."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from rapport.bench.load.workspace import build
from rapport.cases.models import Case, Status, Task
from rapport.inbox.models import Conversation

pytestmark = pytest.mark.django_db(transaction=True)  # the build ends with VACUUM ANALYZE


@pytest.fixture
def plan():
    return build(people=20, conversations=40, cases=30)


def test_each_role_signs_in_on_the_page_and_with_its_token(plan):
    assert sorted(plan.people) == ["agent", "employee", "manager"]
    assert sum(len(p) for p in plan.people.values()) == 20
    for role, people in plan.people.items():
        person = people[0]
        browser = Client()
        response = browser.post(
            "/login/", {"username": person["email"], "password": person["password"]}
        )
        assert response.status_code == 302
        assert browser.get(f"/w/{plan.slug}/my-work/").status_code == 200
        me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {person['token']}")
        assert me.status_code == 200
        assert me.json()["role"] == role


def test_the_people_have_work_to_open(plan):
    assert Conversation.objects.filter(pk__in=plan.conversations).exclude(
        status__in=["resolved", "closed"]
    ).count() == len(plan.conversations)
    assert (
        Case.objects.filter(pk__in=plan.cases, status__in=[Status.RESOLVED, Status.CLOSED]).count()
        == 0
    )
    for employee in plan.people["employee"]:
        assert employee["tasks"]
        assert Task.objects.filter(
            pk__in=employee["tasks"], assignee_id=employee["member_id"], status=Task.State.OPEN
        ).count() == len(employee["tasks"])


def test_it_needs_a_postgresql_database_of_its_own():
    with pytest.raises(CommandError, match="must be a PostgreSQL URL"):
        call_command("bench", "load", "--database-url", "sqlite:///load.sqlite3")
    with pytest.raises(CommandError, match="a database of its own"):
        call_command("bench", "load", "--database-url", "postgres://postgres@127.0.0.1/postgres")
