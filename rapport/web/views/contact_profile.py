"""The contact's 360° profile page, its timeline fragment, logging a call or email from it, and
the compact side panel shown beside a conversation or a case."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.contacts import actions
from rapport.contacts.access import access_contact
from rapport.contacts.models import Account, Contact, Identity, Interaction
from rapport.core.access import access_workspace
from rapport.core.links import safe_url
from rapport.core.models import Membership
from rapport.profile import suggestions as nba
from rapport.profile.build import Profile, build_profile
from rapport.profile.pages import timeline_page
from rapport.profile.risk import risk_signals
from rapport.profile.timeline import KIND_LABELS
from rapport.profile.value import lifetime_value
from rapport.web.views.common import member_view, render_page

#: the chart's drawing box, in SVG units
CHART_W, CHART_H = 600, 120


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("call", "Call"), ("email", "Email"), ("meeting", "Meeting"), ("note", "Note")]
    )
    direction = forms.ChoiceField(
        choices=[("", "—"), *Interaction.Direction.choices], required=False
    )
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Notes")


def trend_chart(profile: Profile) -> dict[str, Any]:
    """The sentiment trend as a polyline: x by month, y from +1 (top) to -1 (bottom)."""
    points = profile.trend
    if not points:
        return {}
    step = CHART_W / max(len(points) - 1, 1)
    dots = []
    for i, p in enumerate(points):
        x = round(i * step if len(points) > 1 else CHART_W / 2, 1)
        y = round((1 - p.mean) / 2 * CHART_H, 1)
        dots.append({"x": x, "y": y, "point": p})
    return {
        "width": CHART_W,
        "height": CHART_H,
        "mid": CHART_H / 2,
        "dots": dots,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
    }


def panel(membership: Membership, contact: Contact | None) -> dict[str, Any]:
    """The compact profile beside a conversation or a case (`web/contacts/_panel.html`): who,
    value and tier, account status, the best suggestion and the risks, a link to the profile."""
    if contact is None or contact.workspace_id != membership.workspace_id:
        return {}
    accounts = list(Account.objects.filter(contact_id=contact.pk).order_by("status", "kind")[:10])
    identities = list(Identity.objects.filter(contact_id=contact.pk).order_by("network")[:6])
    tips = nba.suggestions_for(contact, accounts=accounts)
    risks = risk_signals(complaints=0, cases_opened=0, sentiments=(), accounts=accounts)
    return {
        "contact": contact,
        "identities": [(i, safe_url(i.profile_url)) for i in identities],
        "lifetime": lifetime_value(contact),
        "accounts": accounts,
        "suggestion": tips[0] if tips else None,
        "risks": risks,
    }


@member_view
def contact(request: HttpRequest, slug: str, contact_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    found = access_contact(membership, contact_id)
    kind, cursor = request.GET.get("kind", ""), request.GET.get("cursor", "")
    try:
        profile = build_profile(membership, found, kind=kind, cursor=cursor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:contact", slug=slug, contact_id=found.pk)
    return render_page(
        request,
        membership,
        "web/contacts/profile.html",
        {
            "contact": found,
            "profile": profile,
            "page": profile.timeline,
            "chart": trend_chart(profile),
            "kinds": profile.kinds,
            "cursor": cursor,
            "log_kinds": InteractionForm.base_fields["kind"].choices,  # type: ignore[attr-defined]
        },
        section="contacts",
    )


@member_view
def timeline(request: HttpRequest, slug: str, contact_id: int) -> HttpResponse:
    """The timeline alone: the page's fragment for filters and older pages."""
    membership = access_workspace(request.user, slug)
    found = access_contact(membership, contact_id)
    try:
        page = timeline_page(
            found, kind=request.GET.get("kind", ""), cursor=request.GET.get("cursor", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("web:contact", slug=slug, contact_id=found.pk)
    return render_page(
        request,
        membership,
        "web/contacts/profile_timeline.html",
        {
            "contact": found,
            "page": page,
            "kinds": page_kinds(),
            "cursor": request.GET.get("cursor", ""),
        },
        section="contacts",
    )


def page_kinds() -> dict[str, str]:
    return dict(KIND_LABELS)


@member_view
@require_POST
def log(request: HttpRequest, slug: str, contact_id: int) -> HttpResponse:
    """One click from the profile: a call or an email logged now, onto the timeline."""
    membership = access_workspace(request.user, slug)
    found = access_contact(membership, contact_id)
    form = InteractionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.log_interaction(
                membership,
                found,
                kind=data["kind"],
                subject=data["subject"],
                body=data["body"],
                direction=data["direction"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{data['kind'].capitalize()} logged on the timeline.")
    else:
        messages.error(request, "Choose whether it was a call, an email, a meeting or a note.")
    return redirect("web:contact", slug=slug, contact_id=found.pk)
