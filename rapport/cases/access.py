"""The `access_*` helpers of cases: another workspace's case, task or type is a 404."""

from rapport.cases.models import Case, CaseType, PublicLink, Task
from rapport.core.access import access_in_workspace
from rapport.core.models import Membership

#: What a case is read with for a change: everything its actions and their hooks look at.
FOR_CHANGES = (
    "owner__user",
    "team",
    "customer",
    "case_type",
    "conversation",
    "parent",
    "workspace",
)


def access_case(
    membership: Membership, case_id: object, *, related: tuple[str, ...] = FOR_CHANGES
) -> Case:
    """The caller's case `case_id`, read with `related` (fewer for a read that shows less)."""
    return access_in_workspace(membership, Case.objects.select_related(*related), case_id)


def access_task(membership: Membership, task_id: object) -> Task:
    return access_in_workspace(
        membership, Task.objects.select_related("case", "assignee__user"), task_id
    )


def access_case_type(membership: Membership, type_id: object) -> CaseType:
    return access_in_workspace(membership, CaseType.objects.all(), type_id)


def access_public_link(membership: Membership, link_id: object) -> PublicLink:
    return access_in_workspace(membership, PublicLink.objects.select_related("case"), link_id)
