"""Forms of the web pages: they parse and check input; the actions decide and write."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password

from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, describe
from rapport.core.roles import Role


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.label = "Email"
        field.widget = forms.EmailInput(
            attrs={"autofocus": True, "autocomplete": "email", "maxlength": 254}
        )

    def clean_username(self) -> str:
        # Addresses are stored in lower case; people type them however they like.
        return str(self.cleaned_data.get("username", "")).strip().lower()


class WorkspaceForm(forms.Form):
    name = forms.CharField(max_length=200, label="Workspace name")


def role_choices(actor: Membership) -> list[tuple[str, str]]:
    """The roles `actor` may hand out: only an owner makes owners."""
    return [
        (role.value, role.label) for role in Role if role != Role.OWNER or can(actor, Verb.OWNERS)
    ]


class AddMemberForm(forms.Form):
    email = forms.EmailField(label="Email")
    full_name = forms.CharField(max_length=200, required=False, label="Full name")
    title = forms.CharField(max_length=200, required=False, label="Job title")
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.EMPLOYEE,
        help_text="What each role may do is listed under “What each role may do”.",
    )
    password = forms.CharField(
        required=False,
        label="First password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Only for someone new to Rapport: hand it to them in person. "
        "Leave empty when they already have an account.",
    )

    def __init__(self, *args: Any, actor: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor)  # type: ignore[attr-defined]

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password", "")
        if password:
            validate_password(password)
        return password


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name")
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class TeamMemberForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What is it for?",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Nightly CRM export"}),
    )


ROLE_HELP_ROWS = [(role.label, describe(role)) for role in reversed(Role)]
