"""Signing in on a portal by a link sent by email, and signing out.

The link's page asks for one click before it signs in: mail scanners open every link in an email
to look at it, and would use a one-time link up before its owner does.
"""

import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rapport.contacts.normalize import email_key
from rapport.core.login_throttle import client_address
from rapport.ideas import sign_in as links
from rapport.ideas.models import Portal
from rapport.ideas.portal import title_of
from rapport.web.views.common import add_action_errors
from rapport.web.views.portal import throttle
from rapport.web.views.portal.common import (
    address_of,
    portal_url,
    portal_view,
    render_portal,
    safe_next,
    sign_out,
)
from rapport.web.views.portal.common import sign_in as start_session
from rapport.web.views.portal.forms import SignInForm

logger = logging.getLogger(__name__)
SENT_KEY = "portal-sent:{}"
#: What a refused link's page says, by LinkRefused.reason.
REFUSALS = {
    "unknown": (
        "This sign-in link does not work",
        "It may have been cut short when it was copied, or it was not sent by us. "
        "Ask for a new one below.",
    ),
    "used": (
        "This sign-in link was used already",
        "Each link signs in once. If that was not you in another tab or browser, "
        "simply ask for a new link below.",
    ),
    "expired": (
        "This sign-in link has expired",
        f"Links work for {links.LINK_MINUTES} minutes after we send them. Ask for a new one below.",
    ),
}


def _link_url(portal: Portal, token: str, next_url: str) -> str:
    path = reverse("web:portal_sign_in_link", args=[portal.workspace.slug, token])
    query = f"?{urlencode({'next': next_url})}" if next_url != portal_url(portal) else ""
    return f"{settings.RAPPORT_BASE_URL}{path}{query}"


def _send(portal: Portal, email: str, url: str) -> None:
    title = title_of(portal)
    body = render_to_string(
        "web/portal/sign_in_email.txt",
        {"title": title, "url": url, "minutes": links.LINK_MINUTES, "portal": portal},
    )
    subject = " ".join(f"Your sign-in link for {title}".split())  # a header: one line
    send_mail(subject, body, None, [email])


@require_http_methods(["GET", "POST"])
@portal_view
def sign_in(request: HttpRequest, portal: Portal) -> HttpResponse:
    """The visitor's email (and name): a one-time link is sent there."""
    next_url = safe_next(request, portal, request.POST.get("next") or request.GET.get("next"))
    form = SignInForm(request.POST or None, initial={"next": next_url})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                email = links.clean_email(form.cleaned_data["email"])
                throttle.count(
                    "link",
                    address=address_of(request),
                    person=f"{portal.workspace_id}:{email_key(email)}",
                )
                token = links.request_link(
                    portal.workspace,
                    email=email,
                    name=form.cleaned_data["name"],
                    address=client_address(request) or None,
                )
            except throttle.Throttled as refused:
                form.add_error(None, str(refused))
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                try:
                    _send(portal, email, _link_url(portal, token, next_url))
                except OSError:
                    logger.exception("Sending a portal sign-in link failed")
                    form.add_error(
                        None,
                        "We could not send the email just now. Please try again in a few minutes.",
                    )
                else:
                    request.session[SENT_KEY.format(portal.workspace_id)] = email
                    return redirect("web:portal_sign_in_sent", slug=portal.workspace.slug)
        status = 400 if form.errors else 200
    return render_portal(
        request,
        "web/portal/sign_in.html",
        {"form": form, "next": next_url, "section": "sign_in"},
        status=status,
    )


@require_GET
@portal_view
def sent(request: HttpRequest, portal: Portal) -> HttpResponse:
    email = request.session.get(SENT_KEY.format(portal.workspace_id), "")
    return render_portal(
        request,
        "web/portal/sign_in_sent.html",
        {"email": email, "minutes": links.LINK_MINUTES, "section": "sign_in"},
    )


@require_http_methods(["GET", "POST"])
@portal_view
def link(request: HttpRequest, portal: Portal, token: str) -> HttpResponse:
    """GET: who the link signs in, and one button; POST: signs them in, once."""
    next_url = safe_next(request, portal, request.GET.get("next"))
    try:
        if request.method == "POST":
            signed = links.use_link(portal.workspace, token)
            start_session(request, portal, signed.contact)
            messages.success(request, f"Welcome! You are signed in as {signed.email}.")
            return redirect(next_url)
        found = links.check_link(portal.workspace, token)
    except links.LinkRefused as refused:
        heading, advice = REFUSALS[refused.reason]
        form = SignInForm(initial={"email": refused.email, "next": next_url})
        response = render_portal(
            request,
            "web/portal/sign_in_refused.html",
            {
                "heading": heading,
                "advice": advice,
                "form": form,
                "next": next_url,
                "section": "sign_in",
            },
            status=404 if refused.reason == "unknown" else 410,
        )
    else:
        response = render_portal(
            request,
            "web/portal/sign_in_link.html",
            {"email": found.email, "next": next_url, "section": "sign_in"},
        )
    # The token is in this page's address: never indexed. (Referrer-Policy same-origin, as on
    # every page, keeps it from other sites; "no-referrer" would send the form's Origin as null,
    # which the CSRF check refuses.)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
@portal_view
def leave(request: HttpRequest, portal: Portal) -> HttpResponse:
    """Signs the visitor out of this portal (a member's own sign-in stays)."""
    sign_out(request, portal)
    messages.info(request, "You are signed out.")
    return redirect(portal_url(portal))
