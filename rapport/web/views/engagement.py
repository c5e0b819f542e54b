"""Engagement: the reply composer of a post (with live policy findings), the outbox, canned
responses and the engagement policy settings.

The composer is a fragment other pages include by hx-get: /w/<slug>/posts/<post_id>/reply/.
Opened on its own it is a page with the post and the replies so far.
"""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from rapport.core.access import access_workspace
from rapport.core.models import Membership, Team
from rapport.core.permissions import Verb, can, require
from rapport.core.roles import Role
from rapport.engagement import actions, canned, selectors
from rapport.engagement.models import Reply
from rapport.engagement.policy import (
    Finding,
    Severity,
    network_label,
    private_only,
    reply_length,
    reply_limit,
    sends_private,
)
from rapport.listening.access import access_post
from rapport.listening.models import Post
from rapport.web.views.common import (
    add_action_errors,
    is_fragment,
    member_view,
    paginate,
    render_page,
    search_term,
)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        required=False,
        max_length=actions.MAX_REPLY,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    visibility = forms.ChoiceField(choices=Reply.Visibility.choices, initial="public")
    status_link = forms.URLField(
        label="Public status link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="The page where the customer can follow their issue; {{ status_link }} in "
        "canned responses.",
    )
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)


def _findings_context(post: Post, text: str, findings: list[Finding]) -> dict[str, Any]:
    limit = reply_limit(post.network)
    length = reply_length(text, post.network)
    return {
        "findings": findings,
        "length": length,
        "limit": limit,
        "over": limit is not None and length > limit,
        "blocked": any(f.severity == Severity.BLOCK for f in findings),
        "waits": any(f.severity == Severity.NEEDS_APPROVAL for f in findings),
    }


def _composer(
    request: HttpRequest,
    membership: Membership,
    post: Post,
    form: ReplyForm,
    *,
    findings: list[Finding] | None = None,
    sent: Reply | None = None,
    canned_id: str = "",
    status: int = 200,
) -> HttpResponse:
    text = form["text"].value() or ""
    visibility = form["visibility"].value() or Reply.Visibility.PUBLIC
    if findings is None and text.strip():
        try:
            findings = actions.check_draft(membership, post, text=text, visibility=visibility)
        except ValidationError:
            findings = []
    context: dict[str, Any] = {
        "post": post,
        "form": form,
        "sent": sent,
        "network": network_label(post.network),
        "private_allowed": sends_private(post.network),
        "canned_responses": selectors.canned_responses(membership),
        "replies": selectors.replies_to(membership, post),
        "can_reply": can(membership, Verb.REPLY),
        "canned_id": canned_id,
        **_findings_context(post, text, findings or []),
    }
    if is_fragment(request):
        status = 200  # htmx swaps only 2xx answers; the form shows the refusal either way
    return render_page(
        request,
        membership,
        "web/engagement/composer.html",
        context,
        section="inbox",
        partial="web/engagement/_composer.html",
        status=status,
    )


def _initial(post: Post, status_link: str = "", text: str = "") -> dict[str, Any]:
    visibility = "private" if private_only(post.network) else "public"
    return {
        "text": text,
        "visibility": visibility,
        "status_link": status_link,
        "seen": actions.latest_reply_id(post),
    }


@member_view
def composer(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """GET: the form (a canned response filled in with ?canned=ID). POST: send the reply."""
    membership = access_workspace(request.user, slug)
    post = access_post(membership, post_id)
    if request.method != "POST":
        link = request.GET.get("status_link", "").strip()[:500]
        text = request.GET.get("text", "")[: actions.MAX_REPLY]
        canned_id = request.GET.get("canned", "")
        form = ReplyForm(initial=_initial(post, link, text))
        if canned_id:
            response = selectors.access_canned(membership, canned_id)
            rendered = canned.render(response.text, post, membership, status_link=link)
            form = ReplyForm(initial=_initial(post, link, rendered.text))
            if rendered.missing:
                messages.warning(
                    request,
                    f"“{response.name}” uses {{{{ status_link }}}}, and this reply has no status "
                    "link yet: add one, or edit the text.",
                )
        return _composer(request, membership, post, form, canned_id=canned_id)

    require(membership, Verb.REPLY)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _composer(request, membership, post, form, status=400)
    data = form.cleaned_data
    canned_id = request.POST.get("canned", "")
    canned_response = selectors.access_canned(membership, canned_id) if canned_id else None
    try:
        reply = actions.send_reply(
            membership,
            post,
            text=data["text"],
            visibility=data["visibility"],
            status_link=data["status_link"] or None,
            canned_response=canned_response,
            seen_reply_id=data["seen"],
        )
    except actions.ReplyBlocked as blocked:
        form.add_error(None, "The reply cannot be sent: fix what is marked “blocks” below.")
        return _composer(
            request,
            membership,
            post,
            form,
            findings=blocked.findings,
            canned_id=canned_id,
            status=422,
        )
    except actions.ReplyConflict as conflict:
        form.add_error(None, conflict.messages[0])
        data = request.POST.copy()
        data["seen"] = str(actions.latest_reply_id(post))  # sending again means "I read it"
        form.data = data
        return _composer(request, membership, post, form, canned_id=canned_id, status=409)
    except ValidationError as error:
        add_action_errors(form, error)
        return _composer(request, membership, post, form, canned_id=canned_id, status=400)
    if reply.status == Reply.Status.PENDING_APPROVAL:
        note = "Your reply waits for a manager's approval; it is posted once approved."
    else:
        note = f"Your reply is in the outbox and goes out on {network_label(post.network)} now."
    if is_fragment(request):
        return _composer(request, membership, post, ReplyForm(initial=_initial(post)), sent=reply)
    messages.success(request, note)
    return redirect("web:reply_composer", slug=slug, post_id=post.pk)


@require_POST
@member_view
def check(request: HttpRequest, slug: str, post_id: int) -> HttpResponse:
    """The findings and the character count of the text being written (htmx, as you type)."""
    membership = access_workspace(request.user, slug)
    post = access_post(membership, post_id)
    text = request.POST.get("text", "")[: actions.MAX_REPLY]
    visibility = request.POST.get("visibility", Reply.Visibility.PUBLIC)
    if visibility not in Reply.Visibility.values:
        visibility = Reply.Visibility.PUBLIC
    findings = actions.check_draft(membership, post, text=text, visibility=visibility)
    return render_page(
        request,
        membership,
        "web/engagement/_findings.html",
        {"post": post, **_findings_context(post, text, findings)},
        section="inbox",
    )


# The outbox ---------------------------------------------------------------------------------

OUTBOX_TABS = [("", "All"), ("queued", "Queued"), ("waiting", "Waiting for approval"),
               ("sent", "Sent"), ("failed", "Failed or rejected")]  # fmt: skip


@member_view
def outbox(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    tab = request.GET.get("tab", "")
    tab = tab if tab in selectors.OUTBOX_TABS else ""
    q = search_term(request)
    page = paginate(request, selectors.outbox(membership, tab=tab, q=q))
    return render_page(
        request,
        membership,
        "web/engagement/outbox.html",
        {
            "page": page,
            "tab": tab,
            "tabs": OUTBOX_TABS,
            "q": q,
            "counts": selectors.outbox_counts(membership),
        },
        section="settings",
        subsection="settings_outbox",
        partial="web/engagement/_outbox.html",
    )


@require_POST
@member_view
def outbox_retry(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    reply = selectors.access_reply(membership, reply_id)
    try:
        actions.retry_reply(membership, reply)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "The reply is queued again.")
    return redirect(reverse("web:settings_outbox", args=[slug]) + "?tab=queued")


@require_POST
@member_view
def reply_withdraw(request: HttpRequest, slug: str, reply_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    reply = selectors.access_reply(membership, reply_id)
    try:
        actions.withdraw_reply(membership, reply)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Your reply is withdrawn; the post is free to answer again.")
    return redirect("web:reply_composer", slug=slug, post_id=reply.post_id)


# Canned responses ---------------------------------------------------------------------------


class CannedForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What agents pick it by, e.g. Apology.")
    text = forms.CharField(
        max_length=canned.MAX_TEMPLATE,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Variables: " + ", ".join("{{ " + v + " }}" for v in canned.VARIABLES) + ".",
    )


@member_view
def canned_list(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    form = CannedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = actions.create_canned(membership, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Canned response “{response.name}” saved.")
            return redirect("web:settings_canned", slug=slug)
    q = search_term(request)
    return render_page(
        request,
        membership,
        "web/engagement/canned.html",
        {
            "form": form,
            "q": q,
            "page": paginate(request, selectors.canned_responses(membership, q)),
            "variables": canned.VARIABLES,
        },
        section="settings",
        subsection="settings_canned",
        partial="web/engagement/_canned.html",
        status=400 if form.errors else 200,
    )


@member_view
def canned_edit(request: HttpRequest, slug: str, canned_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    response = selectors.access_canned(membership, canned_id)
    form = CannedForm(request.POST or None, initial={"name": response.name, "text": response.text})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_canned(membership, response, **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, f"Canned response “{response.name}” saved.")
            return redirect("web:settings_canned", slug=slug)
    return render_page(
        request,
        membership,
        "web/engagement/canned_edit.html",
        {"form": form, "response": response, "variables": canned.VARIABLES},
        section="settings",
        subsection="settings_canned",
        status=400 if form.errors else 200,
    )


@require_POST
@member_view
def canned_delete(request: HttpRequest, slug: str, canned_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    response = selectors.access_canned(membership, canned_id)
    actions.delete_canned(membership, response)
    messages.success(request, f"Canned response “{response.name}” deleted.")
    return redirect("web:settings_canned", slug=slug)


# The engagement policy --------------------------------------------------------------------


def _lines(values: list[str]) -> str:
    return "\n".join(values)


class PolicyForm(forms.Form):
    forbidden_phrases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. A reply containing one is blocked.",
    )
    sensitive_topics = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Keywords, one a line. A reply mentioning one waits for an approval.",
    )
    block_card_numbers = forms.BooleanField(required=False, label="Block card numbers")
    block_account_numbers = forms.BooleanField(
        required=False, label="Block IBANs and account numbers"
    )
    block_emails = forms.BooleanField(required=False, label="Block email addresses")
    block_phone_numbers = forms.BooleanField(required=False, label="Block phone numbers")
    public_contacts = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Emails and phone numbers the company publishes (allowed in replies).",
    )
    disclosure = forms.CharField(
        required=False,
        max_length=200,
        help_text="What staff outside the designated team must say, e.g. I work at Acme Bank.",
    )
    designated_role = forms.ChoiceField(
        choices=Role.choices, help_text="This role and above speak without a disclosure."
    )
    designated_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their members speak without a disclosure, whatever their role.",
    )
    approval_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Replies by members with these roles wait for an approval.",
    )
    approver_role = forms.ChoiceField(choices=Role.choices, help_text="Who approves replies.")
    approval_hours = forms.IntegerField(
        min_value=1, max_value=720, help_text="An approval not decided in time expires."
    )
    tone_check = forms.BooleanField(required=False, label="Warn when a reply reads negative")
    record_only = forms.BooleanField(
        required=False,
        label="Record only",
        help_text="The outbox records what it would post instead of posting (demos, trials).",
    )

    def __init__(self, *args: Any, workspace_teams: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["designated_teams"].queryset = workspace_teams  # type: ignore[attr-defined]


@member_view
def policy(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    current = selectors.engagement_policy(membership)
    teams = Team.objects.filter(workspace=membership.workspace).order_by("name")
    initial = {
        "forbidden_phrases": _lines(current.forbidden_phrases),
        "sensitive_topics": _lines(current.sensitive_topics),
        "public_contacts": _lines(current.public_contacts),
        "designated_teams": list(current.designated_teams.all()) if current.pk else [],
        **{
            f: getattr(current, f)
            for f in actions.POLICY_FIELDS
            if f not in ("forbidden_phrases", "sensitive_topics", "public_contacts")
        },
    }
    form = PolicyForm(request.POST or None, initial=initial, workspace_teams=teams)
    if request.method == "POST":
        require(membership, Verb.ENGAGEMENT_POLICY)
        if form.is_valid():
            data = dict(form.cleaned_data)
            chosen = list(data.pop("designated_teams"))
            try:
                actions.update_policy(membership, designated_teams=chosen, **data)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, "The engagement policy is saved; it applies at once.")
                return redirect("web:settings_engagement", slug=slug)
    return render_page(
        request,
        membership,
        "web/engagement/policy.html",
        {"form": form, "policy": current, "can_edit": can(membership, Verb.ENGAGEMENT_POLICY)},
        section="settings",
        subsection="settings_engagement",
        status=400 if form.errors else 200,
    )
