"""The contact's 360° profile page, its timeline fragment, and the compact side panel."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from rapport.contacts.access import access_contact
from rapport.contacts.models import Contact, TimelineEntry
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.web.views.common import member_view, render_page


def panel(membership: Membership, contact: Contact | None) -> dict[str, Any]:
    """The compact profile shown beside a conversation or a case (`web/contacts/_panel.html`)."""
    if contact is None:
        return {}
    return {"contact": contact, "identities": list(contact.identities.all()[:10])}


@member_view
def contact(request: HttpRequest, slug: str, contact_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_contact(membership, contact_id)
    timeline = TimelineEntry.objects.filter(contact=found).order_by("-occurred_at", "-id")[:25]
    return render_page(
        request,
        membership,
        "web/contacts/profile.html",
        {
            "contact": found,
            "identities": list(found.identities.all()),
            "timeline": list(timeline),
        },
        section="contacts",
    )
