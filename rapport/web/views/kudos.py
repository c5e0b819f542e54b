"""Kudos on a conversation, a case or an idea: the object's kudos, and a small form to thank a
colleague for it (for the roles that may). The panel is drawn by `{% kudos_panel %}` on the
object's page and swapped in place by htmx after a post."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.cases.access import access_case
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can
from rapport.ideas.access import access_idea
from rapport.inbox.access import access_conversation
from rapport.recognition import actions, pages
from rapport.web.views.common import add_action_errors, is_fragment, member_view, render_page

SHOWN = 20

#: What kudos may be for, and how the caller's access to one is checked (404 when not theirs).
OBJECTS: dict[str, Callable[[Membership, object], Any]] = {
    "conversation": access_conversation,
    "case": lambda m, pk: access_case(m, pk, related=("workspace",)),
    "idea": access_idea,
}


class KudosForm(forms.Form):
    receiver = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        label="Colleague",
        error_messages={
            "required": "Choose the colleague you are thanking.",
            "invalid_choice": "Choose a colleague of this workspace from the list.",
        },
    )
    # Checked by the action, which says what is wrong in the users' words.
    message = forms.CharField(required=False, strip=True, label="Message")

    def __init__(self, *args: Any, viewer: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["receiver"]
        assert isinstance(field, forms.ModelChoiceField)
        # Oneself too, so that the action's "not for yourself" is the answer, not a bad choice.
        field.queryset = Membership.objects.filter(workspace_id=viewer.workspace_id)


def panel(
    membership: Membership,
    about: str,
    object_id: int,
    *,
    form: KudosForm | None = None,
    given: str = "",
) -> dict[str, Any]:
    """The kudos panel's context: the object's kudos and, for who may give them, the form."""
    kudos = pages.kudos_about(membership, about, object_id)
    may_give = can(membership, Verb.GIVE_KUDOS)
    return {
        "about": about,
        "object_id": object_id,
        "kudos_list": list(kudos[:SHOWN]),
        "kudos_total": kudos.count(),
        "may_give": may_give,
        "kudos_form": form or KudosForm(viewer=membership),
        "colleagues": list(pages.colleagues(membership)) if may_give else [],
        "given": given,
    }


@member_view
@require_POST
def give(request: HttpRequest, slug: str, about: str, object_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    if about not in OBJECTS:
        raise Http404("Kudos are for a conversation, a case or an idea.")
    OBJECTS[about](membership, object_id)
    form = KudosForm(request.POST, viewer=membership)
    if form.is_valid():
        receiver = form.cleaned_data["receiver"]
        try:
            actions.give_kudos(membership, receiver, about, object_id, form.cleaned_data["message"])
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            said = f"Kudos sent: {receiver.user.display_name} is told."
            if is_fragment(request):
                return _panel(request, membership, about, object_id, given=said)
            messages.success(request, said)
            _, url = actions.kudos_target(membership.workspace_id, about, object_id)
            return redirect(url + "#kudos")
    if is_fragment(request):
        return _panel(request, membership, about, object_id, form=form)
    what, url = actions.kudos_target(membership.workspace_id, about, object_id)
    return render_page(
        request,
        membership,
        "web/recognition/kudos_form.html",
        {"what": what, "url": url, **panel(membership, about, object_id, form=form)},
        section="",
        status=400,
    )


def _panel(
    request: HttpRequest, membership: Membership, about: str, object_id: int, **options: Any
) -> HttpResponse:
    return render_page(
        request,
        membership,
        "web/recognition/_kudos_panel.html",
        panel(membership, about, object_id, **options),
        section="",
    )
