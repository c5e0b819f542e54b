"""The `access_*` helpers of contacts: another workspace's contact or organization is a 404."""

from rapport.contacts.models import Contact, ImportJob, Organization
from rapport.core.access import access_in_workspace
from rapport.core.models import Membership


def access_contact(membership: Membership, contact_id: object) -> Contact:
    """A contact of the caller's workspace (merged ones too: their page says where they went)."""
    return access_in_workspace(
        membership,
        Contact.objects.select_related("organization", "owner__user", "merged_into"),
        contact_id,
    )


def access_organization(membership: Membership, organization_id: object) -> Organization:
    return access_in_workspace(membership, Organization.objects.all(), organization_id)


def access_import(membership: Membership, job_id: object) -> ImportJob:
    return access_in_workspace(
        membership, ImportJob.objects.select_related("requested_by__user"), job_id
    )
