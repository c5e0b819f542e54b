"""A case's activity stream and who hears about it.

`log` writes one line of the stream beside the audit event it comes from, inside the action's
transaction. `tell_watchers` notifies the case's watchers (never the actor). Other domains'
events about a case (approvals, SLAs, playbooks) join the stream through `link_event`, connected
to `domain_event` here (actions.py imports this module): any audited object whose `after` names
a `case` is shown there.
"""

from collections.abc import Iterable
from typing import Any

from django.dispatch import receiver
from django.urls import reverse

from rapport.cases.models import Activity, Case, Comment
from rapport.core.audit import domain_event
from rapport.core.models import AuditEvent, Membership
from rapport.notifications.actions import notify
from rapport.notifications.models import Kind

#: Watchers are told under this kind: by default in the app only, so a busy case does not flood
#: anyone's mailbox.
WATCH_KIND = Kind.WATCHING
#: Other domains' verbs that show in a case's stream, in words.
OTHER_VERBS = {
    "playbook.start": "started the playbook",
    "playbook.cancel": "cancelled the playbook",
    "playbook.retry": "retried the playbook",
    "playbook.step.open": "playbook step opened",
    "playbook.step.run": "playbook step done by the machine",
    "playbook.step.complete": "playbook step completed",
    "playbook.step.decided": "playbook step decided",
    "playbook.step.submit": "filled in the playbook step",
    "approval.request": "asked for an approval",
    "approval.decide": "decided an approval",
    "approval.withdraw": "withdrew an approval request",
    "approval.remind": "reminded the approver",
    "approval.escalate": "escalated an approval",
    "approval.expire": "an approval expired",
    "approval.add_files": "added files to an approval",
    "sla.warning": "SLA nearly due",
    "sla.breach": "SLA breached",
}
TEXT_MAX = 300


def case_url(case: Case) -> str:
    return reverse("web:case", args=[case.workspace.slug, case.pk])


def log(
    actor: Membership | None,
    case: Case,
    text: str,
    *,
    event: AuditEvent | None = None,
    comment: Comment | None = None,
    verb: str = "",
) -> Activity:
    """One line of the case's stream ("moved the case from open to resolved")."""
    if len(text) > TEXT_MAX:
        text = text[: TEXT_MAX - 1] + "…"
    return Activity.objects.create(
        workspace_id=case.workspace_id,
        case=case,
        actor=actor,
        verb=verb or (event.verb if event else ""),
        text=text,
        event=event,
        comment=comment,
        team_id=case.team_id,
        customer_id=case.customer_id,
    )


def tell_watchers(
    actor: Membership | None, case: Case, text: str, *, skip: Iterable[Membership] = ()
) -> None:
    """Notifies every watcher of `case` (but the actor and those in `skip`, told otherwise)."""
    skipped = {m.pk for m in skip}
    url = case_url(case)
    for watcher in case.watchers.select_related("user", "workspace"):
        if watcher.pk in skipped:
            continue
        notify(watcher, WATCH_KIND, text, url, actor)


@receiver(domain_event, dispatch_uid="cases.activity.link_event")
def link_event(sender: Any, *, event: AuditEvent, **_: Any) -> None:
    """Shows another domain's audited change about a case in that case's stream (on commit)."""
    if event.workspace_id is None or not isinstance(event.after, dict):
        return
    case_id = event.after.get("case")
    if not isinstance(case_id, int) or event.object_type.startswith("cases."):
        return  # the cases domain writes its own lines, with better words
    case = Case.objects.filter(pk=case_id, workspace_id=event.workspace_id).first()
    if case is None or Activity.objects.filter(event=event).exists():
        return
    actor = None
    if event.actor_id:
        actor = Membership.objects.filter(
            workspace_id=event.workspace_id, user_id=event.actor_id
        ).first()
    words = OTHER_VERBS.get(event.verb) or event.verb.replace("_", " ").replace(".", ": ")
    step = event.after.get("name")
    what = f"“{step}”" if isinstance(step, str) and step else event.object_repr
    log(actor, case, f"{words} ({what})", event=event)
