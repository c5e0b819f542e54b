"""Custom fields per case type: a JSON schema (draft 2020-12) checked when it is saved, case
fields validated against it with messages naming the field, and the form fields the case page
draws from the schema's properties.

jsonschema is the reference validator for the standard admins write their schema in; the case
page understands the simple part of it (string, number, integer, boolean, enum; title and
description), and anything else still validates.
"""

import math
from dataclasses import dataclass
from typing import Any

import jsonschema
from django.core.exceptions import ValidationError

SCHEMA_MAX = 20_000  # characters of JSON
VALIDATOR = jsonschema.Draft202012Validator


def check_schema(schema: object) -> dict[str, Any]:
    """The schema, or a ValidationError on `schema` saying what is wrong with it."""
    if not isinstance(schema, dict):
        raise ValidationError({"schema": 'The schema must be a JSON object, like {"type": …}.'})
    try:
        VALIDATOR.check_schema(schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise ValidationError(
            {"schema": f"Not a valid JSON schema{f' at {where}' if where else ''}: {exc.message}"}
        ) from None
    props = schema.get("properties", {})
    if props and schema.get("type", "object") != "object":
        raise ValidationError({"schema": "A schema with properties must have type object."})
    return schema


def _label(schema: dict[str, Any], name: str) -> str:
    prop = schema.get("properties", {}).get(name)
    title = prop.get("title") if isinstance(prop, dict) else None
    return f"{title} ({name})" if isinstance(title, str) and title else name


def _field_of(error: jsonschema.ValidationError) -> str:
    if error.absolute_path:
        return str(error.absolute_path[0])
    if error.validator == "required":  # "'amount' is a required property"
        return str(error.message).split("'")[1] if "'" in error.message else ""
    if error.validator == "additionalProperties" and "'" in error.message:
        return str(error.message).split("'")[1]
    return ""


def problems(schema: dict[str, Any], fields: dict[str, Any]) -> list[str]:
    """Every way `fields` breaks `schema`, each naming the field, in field order."""
    out = []
    for error in sorted(VALIDATOR(schema).iter_errors(fields), key=lambda e: list(e.path)):
        name = _field_of(error)
        if error.validator == "required":
            out.append(f"{_label(schema, name)} is required.")
        elif error.validator == "additionalProperties":
            out.append(f"{error.message}; this case type has no such field.")
        elif name:
            out.append(f"{_label(schema, name)}: {error.message}.")
        else:
            out.append(f"{error.message}.")
    return out


def validate(schema: dict[str, Any] | None, fields: dict[str, Any], type_name: str) -> None:
    if not schema:
        return
    found = problems(schema, fields)
    if found:
        raise ValidationError(
            {"custom_fields": [f"{p} (case type {type_name})" for p in found[:10]]}
        )


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    help: str
    kind: str  # text, number, checkbox, select
    value: Any
    choices: tuple[str, ...] = ()
    required: bool = False
    step: str = "any"


def form_fields(schema: dict[str, Any] | None, values: dict[str, Any]) -> list[FormField]:
    """The inputs the case page shows for a case type's custom fields, with current values."""
    if not schema:
        return []
    required = set(schema.get("required", []))
    out = []
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        kind, step = "text", "any"
        choices: tuple[str, ...] = ()
        if isinstance(prop.get("enum"), list):
            kind, choices = "select", tuple(str(c) for c in prop["enum"])
        elif prop.get("type") in ("number", "integer"):
            kind, step = "number", "1" if prop.get("type") == "integer" else "any"
        elif prop.get("type") == "boolean":
            kind = "checkbox"
        out.append(
            FormField(
                name=name,
                label=str(prop.get("title") or name.replace("_", " ").capitalize()),
                help=str(prop.get("description") or ""),
                kind=kind,
                value=values.get(name, ""),
                choices=choices,
                required=name in required,
                step=step,
            )
        )
    return out


def from_form(schema: dict[str, Any] | None, data: Any) -> dict[str, Any]:
    """Turns the page's form values (text) into JSON values of the schema's types.

    A value that is not a number where a number is wanted is kept as text, so the schema's
    validation names the field; an empty input leaves the field out.
    """
    out: dict[str, Any] = {}
    for field in form_fields(schema, {}):
        key = f"cf_{field.name}"
        prop = (schema or {}).get("properties", {}).get(field.name, {})
        if field.kind == "checkbox":
            out[field.name] = data.get(key) == "on"
            continue
        raw = str(data.get(key, "")).strip()
        if raw == "":
            continue
        value: Any = raw
        if prop.get("type") in ("number", "integer") or (
            field.kind == "select" and any(isinstance(c, (int, float)) for c in prop["enum"])
        ):
            try:
                number = float(raw)
            except ValueError:
                number = math.nan
            if math.isfinite(number):
                value = int(number) if number.is_integer() else number
        out[field.name] = value
    return out
