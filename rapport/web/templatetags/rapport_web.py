"""Small template helpers of the web layer. None of them marks anything safe."""

import json
from typing import Any

from django import template

from rapport.core import links

register = template.Library()


@register.filter
def web_url(value: Any) -> str:
    """The address when it is http(s), else "": an href never carries javascript: or data:."""
    return links.safe_url(value if isinstance(value, str) else "")


@register.filter
def pretty_json(value: Any) -> str:
    """Indented JSON for an audit event's before/after; autoescaping still applies to it."""
    if value is None:
        return ""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


@register.filter
def audit_changes(event: Any) -> list[tuple[str, str | None, str | None]]:
    """(field, before, after) for each field an audit event recorded; None where it had none.

    Shown as text, so autoescaping covers whatever users typed into those fields.
    """
    before, after = event.before, event.after
    if not isinstance(before, dict | None) or not isinstance(after, dict | None):
        return [("value", pretty_json(before) or None, pretty_json(after) or None)]
    before, after = before or {}, after or {}
    fields = list(dict.fromkeys([*before, *after]))
    return [
        (
            field,
            _show(before[field]) if field in before else None,
            _show(after[field]) if field in after else None,
        )
        for field in fields
    ]
