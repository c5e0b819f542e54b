"""Signals the cases domain sends inside the writing transaction, for its own parts to react.

Playbooks, SLAs and approvals on cases listen here rather than being called from `actions.py`,
so each stays a module of its own. Receivers run in the same transaction as the change: one
that raises undoes it. Reactions that may happen later listen to `core.audit.domain_event`.
"""

from django.dispatch import Signal

#: sender=Case; case, actor (Membership or None for the machine), before (status), after (status)
status_changed = Signal()
#: sender=Task; task, actor
task_completed = Signal()
#: sender=Case; case, approval, actor (who decided)
approval_decided = Signal()
