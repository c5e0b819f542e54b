"""The `access_*` helpers of playbooks: another workspace's playbook or run is a 404."""

from rapport.core.access import access_in_workspace
from rapport.core.models import Membership
from rapport.playbooks.models import Playbook, PlaybookRun, PlaybookStep


def access_playbook(membership: Membership, playbook_id: object) -> Playbook:
    return access_in_workspace(
        membership, Playbook.objects.select_related("case_type"), playbook_id
    )


def access_run(membership: Membership, run_id: object) -> PlaybookRun:
    return access_in_workspace(
        membership, PlaybookRun.objects.select_related("case", "playbook"), run_id
    )


def access_step(membership: Membership, step_id: object) -> PlaybookStep:
    return access_in_workspace(
        membership, PlaybookStep.objects.select_related("run", "task"), step_id
    )
