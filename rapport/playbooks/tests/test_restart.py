"""A run survives a real restart: another Python process, with nothing of this one's objects,
picks the workflow up from the database and carries it on."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from rapport.approvals.models import Approval
from rapport.playbooks.models import PlaybookRun
from rapport.playbooks.tests.factories import bank, dispute

CONTINUE = """
from rapport.cases import actions
from rapport.cases.models import Task
from rapport.core.models import Membership
task = Task.objects.get(pk={task}, status="open")
sam = Membership.objects.get(pk={sam})
actions.update_task(sam, task, status="done")
print("completed", task.title)
"""


@pytest.mark.django_db(transaction=True)
def test_another_process_carries_the_run_on(owner, test_database_url):
    b = bank(owner)
    case = dispute(b, 620)
    task = case.tasks.get()
    before = PlaybookRun.objects.get(case=case).state

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rapport",
            "shell",
            "-c",
            CONTINUE.format(task=task.pk, sam=b.sam.pk),
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": test_database_url},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "completed Investigate the disputed payment" in done.stdout

    run = PlaybookRun.objects.get(case=case)
    assert run.state != before
    assert run.current_step == "Approve the credit"
    assert Approval.objects.get(state="pending").approver == b.ingrid
