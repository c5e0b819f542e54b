"""A step's form: the values a person gives when they complete a playbook step.

A user task declares it in its `form` property, as comma-separated fields:
`resolution:choice(fix|workaround), reference:text, refunded:number`. The values are checked
here (known names, types, lengths) and become workflow data for the gateways and tables after it.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

KINDS = ("text", "number", "choice")
MAX_FIELDS = 10
MAX_TEXT = 500
_FIELD = re.compile(r"^([a-z][a-z0-9_]{0,39})\s*:\s*(text|number|choice\(([^()]*)\))$")


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


def parse_form(spec: str) -> list[FormField]:
    """The fields of a `form` property; ValueError says which part is wrong."""
    fields: list[FormField] = []
    for part in [p.strip() for p in (spec or "").split(",") if p.strip()]:
        match = _FIELD.match(part)
        if match is None:
            raise ValueError(
                f"form field {part!r} is not 'name:text', 'name:number' or "
                "'name:choice(a|b)' (names in lower case, digits and _)"
            )
        name, kind, choices = match.group(1), match.group(2), match.group(3)
        if name.startswith("_") or name in {f.name for f in fields}:
            raise ValueError(f"form field {name!r} is repeated or not allowed")
        if kind.startswith("choice"):
            options = tuple(c.strip() for c in (choices or "").split("|") if c.strip())
            if len(options) < 2:
                raise ValueError(f"form field {name!r} needs at least two choices")
            fields.append(FormField(name, "choice", options))
        else:
            fields.append(FormField(name, kind))
    if len(fields) > MAX_FIELDS:
        raise ValueError(f"a step's form has at most {MAX_FIELDS} fields")
    return fields


def clean_values(fields: list[FormField], values: Mapping[str, Any]) -> dict[str, Any]:
    """The submitted values, checked against the fields; unknown names are refused."""
    known = {f.name: f for f in fields}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValidationError(f"This step has no field {', '.join(unknown)}.")
    out: dict[str, Any] = {}
    for field in fields:
        raw = values.get(field.name)
        text = "" if raw is None else str(raw).strip()
        if not text:
            raise ValidationError({field.name: f"{field.label} is required."})
        if field.kind == "number":
            try:
                number = float(text)
            except ValueError:
                raise ValidationError({field.name: f"{field.label} must be a number."}) from None
            if number != number or abs(number) > 10**12:
                raise ValidationError({field.name: f"{field.label} is out of range."})
            out[field.name] = int(number) if number.is_integer() else number
        elif field.kind == "choice":
            if text not in field.choices:
                raise ValidationError(
                    {field.name: f"{field.label} must be one of {', '.join(field.choices)}."}
                )
            out[field.name] = text
        else:
            if len(text) > MAX_TEXT:
                raise ValidationError(
                    {field.name: f"{field.label} is {len(text)} characters; at most {MAX_TEXT}."}
                )
            out[field.name] = text
    return out
