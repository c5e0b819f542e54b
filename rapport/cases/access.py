"""The `access_*` helpers of cases: another workspace's case, task or type is a 404."""

from rapport.cases.models import Case, CaseType, PublicLink, Task
from rapport.core.access import access_in_workspace
from rapport.core.models import Membership


def access_case(membership: Membership, case_id: object) -> Case:
    return access_in_workspace(
        membership,
        Case.objects.select_related(
            "owner__user", "team", "customer", "case_type", "conversation", "parent", "workspace"
        ),
        case_id,
    )


def access_task(membership: Membership, task_id: object) -> Task:
    return access_in_workspace(
        membership, Task.objects.select_related("case", "assignee__user"), task_id
    )


def access_case_type(membership: Membership, type_id: object) -> CaseType:
    return access_in_workspace(membership, CaseType.objects.all(), type_id)


def access_public_link(membership: Membership, link_id: object) -> PublicLink:
    return access_in_workspace(membership, PublicLink.objects.select_related("case"), link_id)
