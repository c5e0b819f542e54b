"""`{% kudos_panel "conversation" conv.pk %}`: the kudos of a conversation, a case or an idea,
and the form to give some, on the object's page (its view need not know about kudos)."""

from typing import Any

from django import template

from rapport.web.views.kudos import panel

register = template.Library()


@register.inclusion_tag("web/recognition/_kudos_panel.html", takes_context=True)
def kudos_panel(context: Any, about: str, object_id: int) -> dict[str, Any]:
    return {
        "workspace": context["workspace"],
        "membership": context["membership"],
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
        **panel(context["membership"], about, object_id),
    }
