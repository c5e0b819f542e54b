"""A playbook's lines in its case's activity stream, written with each audited step of the run
("playbook step opened (“Investigate the disputed payment”)"), in the same transaction, through
the cases domain's own `log`."""

from rapport.cases.activity import log
from rapport.cases.models import Case
from rapport.core.models import AuditEvent, Membership

#: Audited verbs of playbooks, in words (a verb without words here reads "playbook updated").
WORDS = {
    "playbook.start": "started the playbook",
    "playbook.run.start": "the playbook started",
    "playbook.run.complete": "the playbook finished",
    "playbook.run.fail": "the playbook stopped on an error",
    "playbook.run.retry": "retried the playbook",
    "playbook.retry": "retried the playbook",
    "playbook.cancel": "cancelled the playbook",
    "playbook.step.open": "playbook step opened",
    "playbook.step.run": "playbook step done by the machine",
    "playbook.step.complete": "playbook step completed",
    "playbook.step.decided": "playbook step decided",
    "playbook.step.submit": "filled in the playbook step",
}


def show(case: Case, actor: Membership | None, event: AuditEvent) -> None:
    """The audited `event` of a run on `case` as a line of the case's stream: its words, and the
    step's name (or what the event is about)."""
    words = WORDS.get(event.verb, "playbook updated")
    step = event.after.get("name") if isinstance(event.after, dict) else None
    what = f"“{step}”" if isinstance(step, str) and step else event.object_repr
    log(actor, case, f"{words} ({what})", event=event)
