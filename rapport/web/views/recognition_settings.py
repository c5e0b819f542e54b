"""Settings → Recognition (admins): the weight of each kind of contribution, the leaderboard
switch, and who is left out of leaderboards at their request."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.core.access import access_member, access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.recognition import actions, pages
from rapport.recognition.models import Exclusion, Kind
from rapport.recognition.selectors import leaderboards_on
from rapport.web.views.common import add_action_errors, member_view, paginate, render_page

REASON_MAX = 200


def _includable(viewer: Membership) -> QuerySet[Membership]:
    left_out = Exclusion.objects.filter(workspace_id=viewer.workspace_id).values("member_id")
    return (
        Membership.objects.filter(workspace_id=viewer.workspace_id)
        .exclude(pk__in=left_out)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def _name(member: Membership) -> str:
    return member.user.display_name


class ExcludeForm(forms.Form):
    member = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="Person",
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the person to leave out.",
            "invalid_choice": "Choose a member of this workspace who is not left out already.",
        },
    )
    reason = forms.CharField(
        max_length=REASON_MAX,
        required=False,
        label="Reason",
        help_text="Kept with the exclusion, e.g. “asked by email on 3 March”.",
    )

    def __init__(self, *args: Any, viewer: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _includable(viewer)
        field.label_from_instance = _name  # type: ignore[method-assign,assignment]


def _page(
    request: HttpRequest,
    membership: Membership,
    *,
    weights_error: str = "",
    typed: dict[str, str] | None = None,
    exclude_form: ExcludeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = pages.policy(membership.workspace_id)
    rows = [
        {"c": c, "value": (typed or {}).get(c.kind, str(c.points)), "field": f"weight_{c.kind}"}
        for c in policy
    ]
    return render_page(
        request,
        membership,
        "web/settings/recognition.html",
        {
            "weights": rows,
            "weights_error": weights_error,
            "leaderboards": leaderboards_on(membership.workspace_id),
            "exclude_form": exclude_form or ExcludeForm(viewer=membership),
            "excluded": paginate(request, pages.exclusions(membership)),
            "reason_max": REASON_MAX,
        },
        section="settings",
        subsection="settings_recognition",
        status=status,
    )


@member_view
def index(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.RECOGNITION_SETTINGS)
    return _page(request, membership)


@member_view
@require_POST
def weights(request: HttpRequest, slug: str) -> HttpResponse:
    """The whole table at once: nothing is saved unless every weight is right."""
    membership = access_workspace(request.user, slug)
    require(membership, Verb.RECOGNITION_SETTINGS)
    typed = {
        kind: request.POST[f"weight_{kind}"]
        for kind in Kind.values
        if f"weight_{kind}" in request.POST
    }
    try:
        actions.set_weights(membership, typed)
    except ValidationError as e:
        return _page(
            request, membership, weights_error=" ".join(e.messages), typed=typed, status=400
        )
    messages.success(request, "Weights saved: every score is counted with them from now on.")
    return redirect("web:settings_recognition", slug=slug)


@member_view
@require_POST
def leaderboards(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.RECOGNITION_SETTINGS)
    choice = request.POST.get("leaderboards", "")
    if choice not in ("on", "off"):
        messages.error(request, "Choose whether leaderboards are shown (on) or hidden (off).")
        return redirect("web:settings_recognition", slug=slug)
    actions.set_leaderboards(membership, choice == "on")
    messages.success(
        request,
        "Leaderboards are shown on the team view."
        if choice == "on"
        else "Leaderboards are hidden; the explained counts per team stay.",
    )
    return redirect("web:settings_recognition", slug=slug)


@member_view
@require_POST
def exclude(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.RECOGNITION_SETTINGS)
    form = ExcludeForm(request.POST, viewer=membership)
    if form.is_valid():
        member = form.cleaned_data["member"]
        try:
            actions.exclude(membership, member, form.cleaned_data["reason"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(
                request,
                f"{member.user.display_name} is left out of leaderboards; their record is "
                "still kept and theirs to see.",
            )
            return redirect("web:settings_recognition", slug=slug)
    return _page(request, membership, exclude_form=form, status=400)


@member_view
@require_POST
def include(request: HttpRequest, slug: str, member_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.RECOGNITION_SETTINGS)
    member = access_member(membership, member_id)
    try:
        actions.include(membership, member)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"{member.user.display_name} is back on the leaderboards.")
    return redirect("web:settings_recognition", slug=slug)
