"""The sweep: warnings before the breach and escalation after, each once per timer."""

import pytest

from rapport.cases import actions as cases
from rapport.cases.models import Case, Task
from rapport.core.models import AuditEvent, Team
from rapport.core.priority import Priority
from rapport.core.roles import Role
from rapport.notifications.models import Notification
from rapport.sla import actions
from rapport.sla.models import Escalation, Metric, SlaTimer
from rapport.sla.sweep import sweep
from rapport.sla.tests.conftest import london
from rapport.sla.tests.factories import policy

pytestmark = pytest.mark.django_db


def swept() -> dict[str, float]:
    """A sweep that escalates what it finds at once (as its tasks would)."""
    return sweep(inline=True)


@pytest.fixture
def people(acme, make_member):
    care = Team.objects.create(workspace=acme, name="Social Care")
    agent = make_member(acme, Role.AGENT, "sam@acme.test")
    lead = make_member(acme, Role.MANAGER, "maya@acme.test")
    senior = make_member(acme, Role.AGENT, "priya@acme.test")
    care.members.add(agent, lead, senior)
    return {"team": care, "agent": agent, "lead": lead, "senior": senior}


@pytest.fixture
def escalating(owner, people):
    standard = policy(owner, resolution_minutes=None, next_response_minutes=None)
    actions.add_rule(owner, standard, when="warning", do="notify_manager")
    actions.add_rule(owner, standard, when="breach", do="reassign", assignee=people["senior"])
    actions.add_rule(owner, standard, when="breach", do="raise_priority")
    actions.add_rule(
        owner, standard, when="breach", do="open_task", task_title="Call the customer back"
    )
    return standard


def open_case(owner, people):
    return cases.create_case(
        owner, subject="Charged twice", owner=people["agent"], team=people["team"]
    )


def test_a_timer_warns_once_before_its_breach_and_the_manager_hears(
    owner, people, escalating, clock
):
    case = open_case(owner, people)
    clock.move_to(london(2026, 6, 1, 10, 40))
    assert swept()["warned"] == 0
    clock.move_to(london(2026, 6, 1, 10, 50))  # 80% of an hour is 10:48
    counts = swept()
    assert (counts["warned"], counts["breached"], counts["escalations"]) == (1, 0, 1)
    timer = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert timer.warned_at == london(2026, 6, 1, 10, 50)
    assert Notification.objects.filter(recipient=people["lead"], kind="escalated").count() == 1
    assert Notification.objects.filter(recipient=people["agent"], kind="escalated").count() == 1
    assert swept()["warned"] == 0  # idempotent
    assert Notification.objects.filter(recipient=people["lead"]).count() == 1


def test_a_breach_escalates_once_reassigning_raising_priority_and_opening_a_task(
    owner, people, escalating, clock
):
    case = open_case(owner, people)
    clock.move_to(london(2026, 6, 1, 11, 1))
    counts = swept()
    assert (counts["breached"], counts["escalations"]) == (1, 3)
    case.refresh_from_db()
    assert case.owner == people["senior"]
    assert case.priority == Priority.HIGH
    task = Task.objects.get(case=case)
    assert (task.title, task.assignee) == ("Call the customer back", people["senior"])
    timer = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    assert timer.breached_at == london(2026, 6, 1, 11, 1)
    assert timer.warned_at is not None  # its warning is spent, never sent after the breach
    summaries = sorted(e.summary for e in Escalation.objects.filter(timer=timer))
    assert summaries[0].startswith("Opened task “Call the customer back”")
    assert summaries[1] == "Priority raised to high (first response breached)"
    assert summaries[2] == "Reassigned to priya@acme.test (first response breached)"
    audit = AuditEvent.objects.get(verb="sla.breach", object_id=str(timer.pk))
    assert audit.after is not None
    assert sorted(audit.after["escalations"]) == summaries

    clock.move_to(london(2026, 6, 1, 12))
    again = swept()
    assert (again["breached"], again["escalations"]) == (0, 0)
    case.refresh_from_db()
    assert case.priority == Priority.HIGH  # raised once, not once a sweep
    assert Task.objects.filter(case=case).count() == 1


def test_a_timer_already_claimed_is_left_to_the_sweep_that_claimed_it(
    owner, people, escalating, clock
):
    from django.db import transaction

    from rapport.sla.sweep import _claim

    case = open_case(owner, people)
    timer = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    clock.move_to(london(2026, 6, 1, 11, 1))
    with transaction.atomic():
        assert _claim([timer.pk], "breach", clock.now()) == [timer.pk]
    with transaction.atomic():
        assert _claim([timer.pk], "breach", clock.now()) == []  # the second worker loses
    assert swept()["breached"] == 0
    assert not Escalation.objects.exists()


def test_a_case_that_fails_to_escalate_is_retried_and_the_others_are_not_held_up(
    owner, people, escalating, clock, monkeypatch
):
    from rapport.sla import escalation

    broken, fine = open_case(owner, people), open_case(owner, people)
    real = escalation.tell_owner

    def tell_owner(timer, case, when):
        if case.pk == broken.pk:
            raise RuntimeError("mail server on fire")
        real(timer, case, when)

    monkeypatch.setattr(escalation, "tell_owner", tell_owner)
    clock.move_to(london(2026, 6, 1, 11, 5))
    counts = swept()
    assert (counts["breached"], counts["failed"]) == (1, 1)
    assert Task.objects.filter(case=fine).count() == 1
    assert not Task.objects.filter(case=broken).exists()
    monkeypatch.setattr(escalation, "tell_owner", real)
    assert swept()["breached"] == 1  # retried on the next sweep
    assert Task.objects.filter(case=broken).count() == 1


def test_paused_and_met_timers_never_breach(owner, people, escalating, clock):
    waiting = open_case(owner, people)
    answered = open_case(owner, people)
    cases.transition(owner, waiting, to="waiting_customer")
    cases.add_comment(owner, answered, body="On it.", public=True)
    clock.move_to(london(2026, 6, 3, 12))
    assert swept()["breached"] == 0
    assert not Escalation.objects.exists()


def test_the_sweep_crosses_workspaces_and_keeps_each_case_in_its_own(
    owner, people, escalating, globex, make_member, clock
):
    other_owner = make_member(globex, Role.OWNER)
    policy(other_owner, resolution_minutes=None, next_response_minutes=None)
    ours = open_case(owner, people)
    theirs = cases.create_case(other_owner, subject="Theirs", owner=other_owner)
    clock.move_to(london(2026, 6, 1, 11, 5))
    assert swept()["breached"] == 2
    theirs.refresh_from_db()
    assert theirs.owner == other_owner
    assert theirs.priority == Priority.NORMAL
    ours.refresh_from_db()
    assert ours.owner == people["senior"]
    assert all(e.workspace_id == e.timer.case.workspace_id for e in Escalation.objects.all())


def test_a_breached_case_without_an_owner_tells_the_teams_managers(owner, people, clock):
    policy(owner, resolution_minutes=None, next_response_minutes=None)
    case = cases.create_case(owner, subject="Nobody's", team=people["team"])
    clock.move_to(london(2026, 6, 1, 11, 5))
    swept()
    told = Notification.objects.filter(kind="escalated").values_list("recipient", flat=True)
    assert list(told) == [people["lead"].pk]
    assert Case.objects.get(pk=case.pk).owner is None


def test_the_sweep_hands_batches_to_tasks_and_a_batch_found_twice_escalates_once(
    owner, people, escalating, clock, settings
):
    from django_tasks_db.models import DBTaskResult

    from rapport.sla.tasks import escalate_timers

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    case = open_case(owner, people)
    clock.move_to(london(2026, 6, 1, 11, 5))
    first, second = sweep(), sweep()  # the worker has not run the first batch yet
    assert (first["due_breaches"], first["batches"], first["breached"]) == (1, 1, 0)
    assert second["batches"] == 1
    queued = DBTaskResult.objects.filter(task_path=escalate_timers.module_path)
    assert queued.count() == 2
    assert not Task.objects.filter(case=case).exists()  # nothing done until a worker runs it
    outcomes = [escalate_timers.call(*row.args_kwargs["args"]) for row in queued]
    assert sorted(o["breached"] for o in outcomes) == [0, 1]
    assert Task.objects.filter(case=case).count() == 1


def test_escalation_tasks_run_by_a_worker_do_the_work(owner, people, escalating, clock, settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
    case = open_case(owner, people)
    clock.move_to(london(2026, 6, 1, 11, 5))
    assert sweep()["batches"] == 1
    case.refresh_from_db()
    assert case.owner == people["senior"]
    assert Task.objects.filter(case=case).count() == 1


def test_the_sweep_task_is_scheduled_every_minute():
    from rapport.core import schedule

    assert {p.name: p.seconds for p in schedule.registered()}["sla.sweep"] == 60


def test_a_rule_to_reassign_needs_somebody(owner):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Reassign to whom"):
        actions.add_rule(owner, policy(owner), when="breach", do="reassign")


def test_warnings_and_breaches_are_heard_and_shown_in_the_case_stream(
    owner, people, escalating, clock, heard
):
    from rapport.cases.selectors import case_activity

    case = open_case(owner, people)
    timer = SlaTimer.objects.get(case=case, metric=Metric.FIRST_RESPONSE)
    clock.move_to(london(2026, 6, 1, 10, 50))
    swept()
    clock.move_to(london(2026, 6, 1, 11, 1))
    swept()
    sla = [(e.name, e.object_id, e.actor_id, e.data) for e in heard if e.name.startswith("sla.")]
    about = {"case": case.pk, "metric": "first_response"}
    assert sla == [
        ("sla.warned", timer.pk, None, {**about, "escalations": 1}),
        ("sla.breached", timer.pk, None, {**about, "escalations": 3}),
    ]
    lines = [(a.actor, a.verb, a.text) for a in case_activity(owner, case).items[:2]]
    assert lines == [
        (None, "sla.breach", f"SLA breached (First response of case #{case.pk})"),
        (None, "sla.warning", f"SLA nearly due (First response of case #{case.pk})"),
    ]
