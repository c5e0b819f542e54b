"""Who a vote belongs to: the contact behind a post's author, or a portal visitor's email.

A customer who only ever posted has an identity and perhaps no contact yet; voting makes one for
them (named as the network shows them), so their vote counts once whatever identity they use
later, and identity resolution or a merge joins it to the rest of them.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from rapport.contacts.models import Contact, Identity
from rapport.contacts.normalize import email_key
from rapport.core.models import Workspace
from rapport.listening.models import Post


def person(contact: Contact) -> Contact:
    """The contact a merged contact now lives on (itself if it was never merged)."""
    seen = set()
    while contact.merged_into_id and contact.pk not in seen:
        seen.add(contact.pk)
        contact = Contact.objects.get(pk=contact.merged_into_id)
    return contact


def people(contact_ids: Iterable[int]) -> dict[int, int]:
    """Each contact id -> the id of the contact it now lives on (itself if never merged), in a
    query per step of the longest merge chain."""
    found = {pk: pk for pk in contact_ids}
    step = dict(
        Contact.objects.filter(pk__in=found, merged_into__isnull=False).values_list(
            "pk", "merged_into_id"
        )
    )
    for _ in range(20):  # a chain of merges is short; a loop (never made by merge) stops here
        if not step:
            break
        for pk, at in found.items():
            if at in step:
                found[pk] = step[at]
        step = dict(
            Contact.objects.filter(
                pk__in=set(step.values()), merged_into__isnull=False
            ).values_list("pk", "merged_into_id")
        )
    return found


def contact_of_post(post: Post) -> Contact:
    """The post author's contact, made (with their identity) when the author is new to us."""
    identity = post.identity
    if identity is None:
        if not post.author_external_id and not post.author_handle:
            raise ValidationError({"post_id": "That post has no author to count a vote for."})
        identity, _ = Identity.objects.get_or_create(
            workspace_id=post.workspace_id,
            network=post.network,
            external_id=post.author_external_id or post.author_handle,
            defaults={
                "handle": post.author_handle or post.author_external_id,
                "display_name": post.author_name,
            },
        )
        Post.objects.filter(pk=post.pk).update(identity=identity)
        post.identity = identity
    if identity.contact is None:
        name = identity.display_name or post.author_name or identity.handle or "Unknown author"
        contact = Contact.objects.create(
            workspace_id=post.workspace_id,
            name=name[:200],
            source=post.network,
            preferred_channel=post.network,
        )
        identity.contact = contact
        identity.save(update_fields=["contact"])
        return contact
    return person(identity.contact)


def contact_of_email(workspace: Workspace, address: str, name: str = "") -> Contact:
    """The workspace's contact with this email (a portal visitor), made when there is none."""
    key = email_key(address)
    found = (
        Contact.objects.filter(workspace=workspace, email_key=key, merged_into__isnull=True)
        .order_by("id")
        .first()
    )
    if found is not None:
        return found
    return Contact.objects.create(
        workspace=workspace,
        name=(name or address.split("@")[0])[:200],
        email=address,
        email_key=key,
        source="portal",
        preferred_channel="email",
    )
