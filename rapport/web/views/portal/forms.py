"""The portal's forms: each parses and checks what a visitor sends; the actions decide and write.

Every form has a honeypot: a field people never see (hidden by the stylesheet, skipped by the
keyboard and screen readers are told to leave it empty) that form-filling robots fill in.
"""

from typing import Any

from django import forms

from rapport.ideas.actions import BODY_MAX, COMMENT_MAX, TITLE_MAX
from rapport.ideas.models import Area

HONEYPOT = "website"


class Honeypot(forms.Form):
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean_website(self) -> str:
        if self.cleaned_data.get(HONEYPOT):
            raise forms.ValidationError(
                "This form could not be sent: the field “Leave this field empty” must stay empty."
            )
        return ""


class SignInForm(Honeypot):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        error_messages={
            "required": "Enter your email address: we send the sign-in link there.",
            "invalid": "That is not an email address (it looks like name@example.com).",
        },
    )
    name = forms.CharField(
        label="Your name",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="Shown with your ideas and comments as first name and initial.",
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    field_order = ["email", "name", "website", "next"]


class IdeaForm(Honeypot):
    title = forms.CharField(
        label="Your idea, in one line",
        max_length=TITLE_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "placeholder": "e.g. Pay with Apple Pay in the app"}
        ),
        error_messages={"required": "Give your idea a title: one line that says what you want."},
    )
    body = forms.CharField(
        label="Tell us more",
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 7, "placeholder": "What would it help you do? How do you do it today?"}
        ),
        help_text="Plain text or simple Markdown: **bold**, _italic_, lists and links.",
    )
    area = forms.ModelChoiceField(
        label="Product area",
        queryset=Area.objects.none(),
        required=False,
        empty_label="Not sure",
    )
    #: Set when the visitor was shown the similar ideas (on the page, or after a first try).
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    field_order = ["title", "body", "area", "website", "confirmed"]

    def __init__(self, *args: Any, workspace_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        area.queryset = Area.objects.filter(workspace_id=workspace_id).order_by("name")  # type: ignore[attr-defined]


class CommentForm(Honeypot):
    body = forms.CharField(
        label="Add a comment",
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Add to the discussion"}),
        error_messages={"required": "Write something before you post the comment."},
    )

    field_order = ["body", "website"]
