"""Settings → Case types: the kinds of case and the JSON schema of each one's custom fields."""

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from rapport.cases import actions
from rapport.cases.access import access_case_type
from rapport.cases.models import CaseType
from rapport.core.access import access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, require
from rapport.web.views.common import (
    add_action_errors,
    member_view,
    paginate,
    render_page,
    search_term,
)

SCHEMA_HELP = (
    'A JSON schema (draft 2020-12) of the custom fields, e.g. {"type": "object", '
    '"properties": {"amount": {"type": "number", "title": "Amount (€)", "minimum": 0}}, '
    '"required": ["amount"]}. Leave {} for no custom fields.'
)


class CaseTypeForm(forms.Form):
    name = forms.CharField(max_length=100)
    schema = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono", "spellcheck": "false"}),
        initial="{}",
        max_length=20_000,
        help_text=SCHEMA_HELP,
    )

    def clean_schema(self) -> Any:
        text = self.cleaned_data["schema"].strip() or "{}"
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(
                f"This is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from None


def _admin(request: HttpRequest, slug: str) -> Membership:
    membership = access_workspace(request.user, slug)
    require(membership, Verb.CASE_TYPES)
    return membership


@member_view
def case_types(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _admin(request, slug)
    form = CaseTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.create_case_type(
                membership, name=form.cleaned_data["name"], schema=form.cleaned_data["schema"]
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Case type “{created.name}” created.")
            return redirect("web:settings_case_type", slug=slug, type_id=created.pk)
    q = search_term(request)
    types = CaseType.objects.filter(workspace=membership.workspace).order_by("name")
    if q:
        types = types.filter(name__icontains=q)
    return render_page(
        request,
        membership,
        "web/cases/types.html",
        {"form": form, "q": q, "page": paginate(request, types)},
        section="settings",
        subsection="settings_case_types",
        partial="web/cases/_types.html",
        status=400 if form.errors else 200,
    )


@member_view
def case_type(request: HttpRequest, slug: str, type_id: int) -> HttpResponse:
    membership = _admin(request, slug)
    found = access_case_type(membership, type_id)
    initial = {"name": found.name, "schema": json.dumps(found.schema, indent=2)}
    form = CaseTypeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_case_type(
                membership,
                found,
                name=form.cleaned_data["name"],
                schema=form.cleaned_data["schema"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Case type “{found.name}” saved.")
            return redirect("web:settings_case_type", slug=slug, type_id=found.pk)
    return render_page(
        request,
        membership,
        "web/cases/type.html",
        {"form": form, "case_type": found, "cases": found.cases.count()},
        section="settings",
        subsection="settings_case_types",
        status=400 if form.errors else 200,
    )
