"""What every portal page shares: the portal of the address, the signed-in visitor, the layout.

A visitor signs in on one workspace's portal only: the session holds their contact's id under a
key of that workspace (`portal:<workspace id>`), beside (and apart from) a member's sign-in.
"""

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from rapport.contacts.models import Contact
from rapport.core.login_throttle import client_address
from rapport.ideas import portal as public
from rapport.ideas.models import Portal
from rapport.ideas.voters import person

View = Callable[..., HttpResponse]


def session_key(portal: Portal) -> str:
    return f"portal:{portal.workspace_id}"


def visitor_of(request: HttpRequest, portal: Portal) -> Contact | None:
    """The contact signed in on this portal, or None (also when their contact is gone)."""
    pk = request.session.get(session_key(portal))
    if pk is None:
        return None
    contact = Contact.objects.filter(pk=pk, workspace_id=portal.workspace_id).first()
    if contact is None:
        request.session.pop(session_key(portal), None)
        return None
    return person(contact)


def sign_in(request: HttpRequest, portal: Portal, contact: Contact) -> None:
    # A new session key on sign-in: a key planted before it (session fixation) is worth nothing.
    request.session.cycle_key()
    request.session[session_key(portal)] = contact.pk


def sign_out(request: HttpRequest, portal: Portal) -> None:
    request.session.pop(session_key(portal), None)


def address_of(request: HttpRequest) -> str:
    return client_address(request) or "unknown"


def portal_url(portal: Portal) -> str:
    return reverse("web:portal", args=[portal.workspace.slug])


def idea_url(portal: Portal, idea_id: int) -> str:
    return reverse("web:portal_idea", args=[portal.workspace.slug, idea_id])


def safe_next(request: HttpRequest, portal: Portal, value: object) -> str:
    """Where to go after signing in or voting: a page of this portal, else its idea list."""
    target = str(value or "")
    if (
        target.startswith(portal_url(portal))
        and url_has_allowed_host_and_scheme(target, {request.get_host()})
        and "\\" not in target
    ):
        return target
    return portal_url(portal)


def sign_in_url(portal: Portal, next_url: str = "") -> str:
    url = reverse("web:portal_sign_in", args=[portal.workspace.slug])
    return f"{url}?next={quote(next_url)}" if next_url else url


def render_portal(
    request: HttpRequest,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    portal: Portal = request.portal  # type: ignore[attr-defined]
    visitor: Contact | None = request.visitor  # type: ignore[attr-defined]
    ctx = {
        "portal": portal,
        "workspace": portal.workspace,
        "slug": portal.workspace.slug,
        "portal_title": public.title_of(portal),
        "theme_version": theme_version(portal),
        "visitor": visitor,
        "visitor_name": public.public_name(visitor.name) if visitor else "",
        "here": request.get_full_path(),
        **(context or {}),
    }
    response = render(request, template, ctx, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def theme_version(portal: Portal) -> str:
    """Changes when the colours do, so browsers fetch the new stylesheet."""
    return f"{public.colour(portal.colour, '')[1:]}{public.colour(portal.accent, '')[1:]}"


def not_found(request: HttpRequest, portal: Portal | None, message: str) -> HttpResponse:
    """A friendly 404: in the portal's colours when there is an open portal, else plain."""
    if portal is None:
        response = render(request, "web/portal/closed.html", status=404)
    else:
        response = render_portal(
            request, "web/portal/not_found.html", {"message": message}, status=404
        )
    add_never_cache_headers(response)
    return response


def portal_view(view: View) -> View:
    """The open portal of the address (else a friendly 404) and its signed-in visitor as
    `request.portal` and `request.visitor`; a 404 inside the view is the portal's own page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            portal = public.access_portal(slug)
        except Http404:
            return not_found(request, None, "")
        request.portal = portal  # type: ignore[attr-defined]
        request.visitor = visitor_of(request, portal)  # type: ignore[attr-defined]
        try:
            response = view(request, portal, *args, **kwargs)
        except Http404:
            return not_found(request, portal, "We could not find that page. It may have moved.")
        # A page shows who is signed in and carries their CSRF token: never from a cache.
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response

    return wrapper
