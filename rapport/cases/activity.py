"""A case's activity stream and who hears about it.

`log` writes one line of the stream beside the audit event it comes from, inside the action's
transaction; the domains above cases (SLAs, playbooks) write their lines about a case through it
too. Approvals are below cases: their events about a case become lines here (`log_approval`,
listening in `wiring.py`). `tell_watchers` notifies the case's watchers (never the actor), and
`case_url` is where every notification about a case points.
"""

from collections.abc import Iterable

from django.urls import reverse

from rapport.approvals.models import Approval
from rapport.cases.models import Activity, Case, Comment
from rapport.core.events import Event
from rapport.core.models import AuditEvent, Membership
from rapport.notifications.actions import notify_members
from rapport.notifications.models import Kind

#: Watchers are told under this kind: by default in the app only, so a busy case does not flood
#: anyone's mailbox.
WATCH_KIND = Kind.WATCHING
#: An approval's events that show in its case's stream: (the audit verb, the line in words).
APPROVAL_LINES = {
    "approval.requested": ("approval.request", "asked for an approval"),
    "approval.decided": ("approval.decide", "decided an approval"),
    "approval.withdrawn": ("approval.withdraw", "withdrew an approval request"),
    "approval.reminded": ("approval.remind", "reminded the approver"),
    "approval.escalated": ("approval.escalate", "escalated an approval"),
    "approval.expired": ("approval.expire", "an approval expired"),
    "approval.files_added": ("approval.add_files", "added files to an approval"),
}
TEXT_MAX = 300


def case_url(case: Case) -> str:
    """Where a person sees the case in Rapport: every notification about a case links here."""
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
    if actor is not None:
        skipped.add(actor.pk)  # nobody is told about their own doing
    watchers = case.watchers.exclude(pk__in=skipped)
    notify_members(case.workspace, watchers, WATCH_KIND, text, case_url(case), actor)


def log_approval(event: Event) -> Activity | None:
    """The line an approval's event writes in its case's stream ("asked for an approval (Approve
    620.00 on case #12: ...)"); nothing for an approval of something else."""
    verb, words = APPROVAL_LINES[event.name]
    if event.data.get("kind") != Case._meta.label_lower or event.object_id is None:
        return None
    case = Case.objects.filter(pk=event.data["object"], workspace_id=event.workspace_id).first()
    approval = Approval.objects.filter(pk=event.object_id).only("summary").first()
    if case is None or approval is None:
        return None
    actor = None
    if event.actor_id is not None:
        actor = Membership.objects.filter(pk=event.actor_id, workspace_id=case.workspace_id).first()
    return log(actor, case, f"{words} ({approval.summary})", verb=verb)
