"""The inbox: the filtered list with saved views, bulk changes and live updates; a conversation
with its thread, contact, notes, history and hand-off; capture a post; routing rules.

Every id from the URL or a form is resolved with an `access_*` helper; every change goes
through an inbox action. Social text is only ever shown escaped (Django's autoescape).
"""

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from rapport.cases import selectors as case_selectors
from rapport.cases.models import Case, CaseType
from rapport.connectors.registry import CONNECTORS
from rapport.core.access import access_in_workspace, access_member, access_team, access_workspace
from rapport.core.models import Membership
from rapport.core.permissions import Verb, can, require
from rapport.core.priority import Priority
from rapport.inbox import actions, capture, rule_actions, selectors
from rapport.inbox.access import access_conversation, access_conversation_post, access_rule
from rapport.inbox.models import Conversation, RoutingRule, SavedView, Status
from rapport.inbox.registry import ACTION_TYPES
from rapport.inbox.rules import FIELDS, describe_condition
from rapport.listening.models import Intent, ListeningQuery, Sentiment
from rapport.web.views import contact_profile, idea_capture
from rapport.web.views.common import add_action_errors, member_view, render_page

#: The engagement domain's reply composer for one post, loaded into the conversation (htmx).
COMPOSER_URL = "web:reply_composer"


def _url(slug: str, name: str, *args: object) -> str:
    return reverse(f"web:{name}", args=[slug, *args])


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


# The list ------------------------------------------------------------------------------------


def _current_filters(request: HttpRequest, membership: Membership) -> tuple[str, dict[str, str]]:
    """The view chosen and the raw filters: the view's own, then what the query string adds."""
    get = request.GET
    view = get.get("view", "")
    explicit = {k: get.get(k, "") for k in selectors.FILTERS if k != "view" and k in get}
    if not view and not explicit:
        view = selectors.DEFAULT_VIEW
    raw = selectors.view_filters(membership, view) if view else {}
    raw.update(explicit)
    return view, raw


STATUS_LABELS = dict(Status.choices)
PRIORITY_LABELS = dict(Priority.choices)


def ago(at: datetime, now: datetime) -> str:
    """“3 h ago”: what `timesince` says, for fifty rows at a fraction of its cost."""
    seconds = max(0, int((now - at).total_seconds()))
    for size, unit in ((86_400 * 365, "y"), (86_400 * 7, "w"), (86_400, "d"), (3600, "h")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds // 60} min ago" if seconds >= 60 else "just now"


def rows(conversations: list[Conversation], slug: str) -> list[dict[str, Any]]:
    """The list's rows as plain values: the page renders fifty of them on every refresh, and
    the template engine is the slowest part of the page (see `rapport bench inbox`)."""
    base = _url(slug, "inbox")
    now = timezone.now()
    out = []
    for c in conversations:
        assignee = c.assignee.user.display_name if c.assignee_id and c.assignee else ""
        out.append(
            {
                "pk": c.pk,
                "url": f"{base}{c.pk}/",
                "subject": c.subject,
                "handle": c.identity.handle if c.identity_id and c.identity else "",
                "network": c.network,
                "status": c.status,
                "status_label": STATUS_LABELS.get(c.status, c.status),
                "priority": c.priority,
                "priority_label": PRIORITY_LABELS.get(c.priority, ""),
                "sentiment": c.sentiment,
                "intent": c.intent,
                "tags": [t.name for t in c.tags.all()],
                "assignee": assignee,
                "team": c.team.name if c.team_id and c.team else "",
                "post_count": c.post_count,
                "iso": c.last_activity_at.isoformat(),
                "ago": ago(c.last_activity_at, now),
            }
        )
    return out


def _list_context(request: HttpRequest, membership: Membership) -> dict[str, Any]:
    view, raw = _current_filters(request, membership)
    error = ""
    try:
        f = selectors.clean_filters(raw)
        page = selectors.inbox_page(membership, f, after=request.GET.get("after", ""))
    except ValidationError as e:
        error = " ".join(e.messages)
        f = selectors.Filters(status="active")
        page = selectors.inbox_page(membership, f)
    query = {k: v for k, v in raw.items() if v}
    if view:
        query = {"view": view, **{k: v for k, v in query.items() if k in request.GET}}
    return {
        "view": view,
        "raw": raw,
        "filters": f,
        "page": page,
        "rows": rows(page.items, membership.workspace.slug),
        "error": error,
        "live": not request.GET.get("after"),
        "list_query": urlencode(query),
        "next_url": "?" + urlencode({**query, "after": page.next_cursor})
        if page.next_cursor
        else "",
        "now": timezone.now(),
    }


@member_view
def inbox(request: HttpRequest, slug: str) -> HttpResponse:
    """The inbox: saved views, filters, the live list of conversations, bulk changes."""
    membership = access_workspace(request.user, slug)
    context = _list_context(request, membership)
    if request.htmx and request.htmx.target == "inbox-list":  # type: ignore[attr-defined]
        return render_page(
            request,
            membership,
            "web/inbox/_list.html",
            context,
            section="inbox",
            partial="web/inbox/_list.html",
        )
    context.update(
        built_in=[(key, label) for key, (label, _) in selectors.BUILT_IN_VIEWS.items()],
        saved=selectors.saved_views(membership),
        statuses=Status.choices,
        sentiments=Sentiment.choices,
        intents=Intent.choices,
        priorities=Priority.choices,
        networks=sorted(CONNECTORS),
        queries=ListeningQuery.objects.filter(workspace=membership.workspace).order_by("name"),
        teams=membership.workspace.teams.order_by("name"),
        people=selectors.assignable(membership),
        can_work=can(membership, Verb.WORK_CONVERSATIONS),
    )
    return render_page(request, membership, "web/inbox/index.html", context, section="inbox")


def _back_to_list(request: HttpRequest, slug: str) -> HttpResponse:
    """After a change from the list: the list again (htmx) or the page it came from."""
    if request.htmx:  # type: ignore[attr-defined]
        membership = access_workspace(request.user, slug)
        query = request.POST.get("list_query", "")
        request.GET = QueryDict(query)
        return render_page(
            request,
            membership,
            "web/inbox/_list.html",
            _list_context(request, membership),
            section="inbox",
            partial="web/inbox/_list.html",
        )
    return redirect(_url(slug, "inbox") + "?" + request.POST.get("list_query", ""))


@member_view
@require_POST
def bulk(request: HttpRequest, slug: str) -> HttpResponse:
    """Assign, tag or close the selected conversations at once (or one, from the keyboard)."""
    membership = access_workspace(request.user, slug)
    ids = request.POST.getlist("ids")
    convs = [access_conversation(membership, pk) for pk in ids[: actions.MAX_BULK]]
    who = request.POST.get("assignee", "")
    assignee: Membership | bool | None = False
    if who == "me":
        assignee = membership
    elif who == "none":
        assignee = None
    elif who:
        assignee = access_member(membership, who)
    tags = [t for t in request.POST.get("tag", "").split(",") if t.strip()]
    try:
        changed = actions.bulk_update(
            membership, convs, assignee=assignee, tags=tags, status=request.POST.get("status", "")
        )
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, f"{changed} conversation{'s' if changed != 1 else ''} changed.")
    return _back_to_list(request, slug)


@member_view
@require_POST
def view_save(request: HttpRequest, slug: str) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    raw = {k: request.POST.get(k, "") for k in selectors.FILTERS if request.POST.get(k)}
    raw.pop("view", None)
    try:
        saved = actions.save_view(membership, name=request.POST.get("name", ""), filters=raw)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return redirect(_url(slug, "inbox") + "?" + urlencode(raw))
    messages.success(request, f"View “{saved.name}” saved.")
    return redirect(_url(slug, "inbox") + f"?view=saved-{saved.pk}")


@member_view
@require_POST
def view_delete(request: HttpRequest, slug: str, view_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    saved = access_in_workspace(membership, SavedView.objects.filter(owner=membership), view_id)
    actions.delete_view(membership, saved)
    messages.success(request, f"View “{saved.name}” deleted.")
    return redirect(_url(slug, "inbox"))


# One conversation ----------------------------------------------------------------------------


class HandOffForm(forms.Form):
    team = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    skill = forms.CharField(
        required=False, max_length=100, help_text="e.g. mortgages, mobile app, savings products"
    )
    to = forms.TypedChoiceField(label="Or a person", required=False, coerce=int, empty_value=None)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=actions.NOTE_MAX,
        help_text="What you need from them. @name mentions notify.",
    )

    def __init__(self, membership: Membership, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams: list[tuple[object, str]] = [("", "Any team")]
        teams += [(t.pk, t.name) for t in membership.workspace.teams.order_by("name")]
        people: list[tuple[object, str]] = [("", "Whoever fits")]
        people += [
            (m.pk, f"{m.user.display_name} — {m.title}" if m.title else m.user.display_name)
            for m in selectors.assignable(membership)
        ]
        self.fields["team"].choices = teams  # type: ignore[attr-defined]
        self.fields["to"].choices = people  # type: ignore[attr-defined]


def _composer_url(slug: str, posts: list[Any]) -> str:
    """Where the reply composer for the thread's latest post is, if replies exist yet."""
    if not posts:
        return ""
    try:
        return reverse(COMPOSER_URL, args=[slug, posts[-1].pk])
    except NoReverseMatch:
        return ""


OPEN_CASES = 5


def _open_cases(membership: Membership, panel: selectors.ContactPanel) -> list[Case]:
    """The customer's open cases beside the conversation: those opened from their
    conversations, and those about the contact they are."""
    if panel.identity is None:
        return []
    whose = Q(conversation__identity=panel.identity)
    if panel.contact is not None:
        whose |= Q(customer=panel.contact)
    return list(
        case_selectors.filter_cases(membership, status="active")
        .filter(whose)
        .order_by("-updated_at", "-id")[:OPEN_CASES]
    )


def _conversation_page(
    request: HttpRequest,
    membership: Membership,
    conv: Conversation,
    *,
    handoff: HandOffForm | None = None,
    note_error: str = "",
    status: int = 200,
) -> HttpResponse:
    if conv.merged_into_id:
        return redirect(_url(membership.workspace.slug, "conversation", conv.merged_into_id))
    detail = selectors.conversation_detail(membership, conv)
    selectors.mark_present(membership, conv)
    return render_page(
        request,
        membership,
        "web/inbox/conversation.html",
        {
            "conv": conv,
            "detail": detail,
            "handoff": handoff or HandOffForm(membership),
            "note_error": note_error,
            "statuses": Status.choices,
            "priorities": Priority.choices,
            "people": selectors.assignable(membership),
            "teams": membership.workspace.teams.order_by("name"),
            "can_work": can(membership, Verb.WORK_CONVERSATIONS),
            "works_on": can(membership, Verb.WORK_CONVERSATIONS)
            or membership.pk in (conv.assignee_id, conv.captured_by_id),
            "can_note": can(membership, Verb.ADD_NOTES),
            "present": selectors.colleagues_present(membership, conv),
            "composer_url": _composer_url(membership.workspace.slug, detail.posts),
            "contact_panel": contact_profile.panel(membership, detail.contact.contact),
            "open_cases": _open_cases(membership, detail.contact),
            **idea_capture.conversation_panel(membership, conv, detail.posts),
        },
        section="inbox",
        status=status,
    )


@member_view
def conversation(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    conv = access_conversation(membership, conversation_id)
    return _conversation_page(request, membership, conv)


def _done(request: HttpRequest, slug: str, conv: Conversation, message: str = "") -> HttpResponse:
    if message:
        messages.success(request, message)
    nxt = request.POST.get("next", "")
    if nxt == "list":
        return _back_to_list(request, slug)
    return redirect(_url(slug, "conversation", conv.pk))


def _conversation_action(request: HttpRequest, slug: str, conversation_id: int) -> Any:
    membership = access_workspace(request.user, slug)
    return membership, access_conversation(membership, conversation_id)


@member_view
@require_POST
def conversation_assign(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    who = request.POST.get("assignee", "")
    assignee = membership if who == "me" else access_member(membership, who) if who else None
    team_id = request.POST.get("team")
    set_team = team_id is not None
    team = access_team(membership, team_id) if team_id else None
    try:
        actions.assign(membership, conv, assignee=assignee, team=team, set_team=set_team)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _done(request, slug, conv)
    name = assignee.user.display_name if assignee else "nobody"
    return _done(request, slug, conv, f"Assigned to {name}.")


@member_view
@require_POST
def conversation_status(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    try:
        actions.set_status(membership, conv, status=request.POST.get("status", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _done(request, slug, conv)
    return _done(request, slug, conv, f"Status: {conv.get_status_display().lower()}.")


@member_view
@require_POST
def conversation_priority(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    try:
        actions.set_priority(membership, conv, priority=request.POST.get("priority", ""))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return _done(request, slug, conv)


@member_view
@require_POST
def conversation_tags(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    tags = [t for t in request.POST.get("tag", "").split(",") if t.strip()]
    try:
        if request.POST.get("remove"):
            actions.untag(membership, conv, tags=tags)
        else:
            actions.tag(membership, conv, tags=tags)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return _done(request, slug, conv)


@member_view
@require_POST
def conversation_note(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    try:
        actions.add_note(membership, conv, body=request.POST.get("body", ""))
    except ValidationError as e:
        return _conversation_page(
            request, membership, conv, note_error=" ".join(e.messages), status=400
        )
    return _done(request, slug, conv, "Note added.")


@member_view
@require_POST
def conversation_handoff(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    form = HandOffForm(membership, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            who = actions.hand_off(
                membership,
                conv,
                note=data["note"],
                to=access_member(membership, data["to"]) if data["to"] else None,
                team=access_team(membership, data["team"]) if data["team"] else None,
                skill=data["skill"],
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            name = who.user.display_name if who else (conv.team.name if conv.team else "the team")
            return _done(request, slug, conv, f"Handed to {name}.")
    return _conversation_page(request, membership, conv, handoff=form, status=400)


@member_view
@require_POST
def conversation_merge(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    target = request.POST.get("into", "").strip().lstrip("#")
    try:
        into = access_conversation(membership, target)
        actions.merge(membership, conv, into=into)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _done(request, slug, conv)
    except Http404:
        messages.error(request, f"There is no conversation #{target} to merge into.")
        return _done(request, slug, conv)
    messages.success(request, f"Merged into #{into.pk}.")
    return redirect(_url(slug, "conversation", into.pk))


@member_view
@require_POST
def conversation_split(
    request: HttpRequest, slug: str, conversation_id: int, post_id: int
) -> HttpResponse:
    membership, conv = _conversation_action(request, slug, conversation_id)
    post = access_conversation_post(membership, conv, post_id)
    try:
        new = actions.split(membership, conv, post=post)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _done(request, slug, conv)
    messages.success(request, f"The post is now conversation #{new.pk}.")
    return redirect(_url(slug, "conversation", new.pk))


@member_view
def conversation_presence(request: HttpRequest, slug: str, conversation_id: int) -> HttpResponse:
    """Polled by the open conversation: says who else is here or typing, and that we are."""
    membership, conv = _conversation_action(request, slug, conversation_id)
    selectors.mark_present(membership, conv, typing=request.POST.get("typing") == "1")
    return render_page(
        request,
        membership,
        "web/inbox/_presence.html",
        {"conv": conv, "present": selectors.colleagues_present(membership, conv)},
        section="inbox",
        partial="web/inbox/_presence.html",
    )


# Capture -------------------------------------------------------------------------------------


class CaptureForm(forms.Form):
    url = forms.CharField(
        label="Address of the post",
        required=False,
        max_length=capture.URL_MAX,
        widget=forms.URLInput(attrs={"placeholder": "https://…", "autofocus": True}),
    )
    text = forms.CharField(
        label="Or paste its text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="When Rapport cannot fetch it from its network.",
    )
    author = forms.CharField(label="Author", required=False, max_length=200)
    network = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Somewhere else")] + [
            (n, n) for n in sorted(CONNECTORS) if n != capture.PASTED_NETWORK
        ]
        self.fields["network"].choices = choices  # type: ignore[attr-defined]


@member_view
def capture_post(request: HttpRequest, slug: str) -> HttpResponse:
    """Capture a post seen anywhere: by its address, or pasted. The bookmarklet lands here."""
    membership = access_workspace(request.user, slug)
    if request.method == "POST":
        form = CaptureForm(request.POST)
        if form.is_valid():
            try:
                captured = capture.capture(membership, **form.cleaned_data)
            except ValidationError as e:
                add_action_errors(form, e)
            else:
                messages.success(
                    request,
                    "Captured: the post is in the inbox"
                    + (" (fetched from its network)." if captured.fetched else "."),
                )
                return redirect(_url(slug, "conversation", captured.conversation.pk))
        status = 400
    else:
        form = CaptureForm(initial={"url": request.GET.get("url", "")[: capture.URL_MAX]})
        status = 200
    base = request.build_absolute_uri(_url(slug, "inbox_capture"))
    bookmarklet = (
        "javascript:(function(){window.open("
        + json.dumps(base + "?url=")
        + "+encodeURIComponent(location.href),'_blank');})();"
    )
    return render_page(
        request,
        membership,
        "web/inbox/capture.html",
        {"form": form, "bookmarklet": bookmarklet},
        section="inbox",
        status=status,
    )


# Routing rules -------------------------------------------------------------------------------


class RuleForm(forms.Form):
    name = forms.CharField(max_length=100)
    match = forms.ChoiceField(choices=RoutingRule.Match.choices, initial="all")
    conditions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        required=False,
        initial='[{"field": "intent", "operator": "is", "value": "complaint"}]',
        help_text="JSON: a list of {field, operator, value}. Empty: every post.",
    )
    actions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
        initial='[{"type": "set_priority", "priority": "high"}]',
        help_text="JSON: a list of {type, …}; the types are listed below the form.",
    )
    stop = forms.BooleanField(required=False, label="Stop here when it matches")

    def parsed(self) -> tuple[Any, Any]:
        out = []
        for name in ("conditions", "actions"):
            text = self.cleaned_data.get(name) or "[]"
            try:
                out.append(json.loads(text))
            except json.JSONDecodeError as e:
                raise ValidationError(
                    {name: f"This is not JSON: {e.msg} at line {e.lineno}."}
                ) from e
        return out[0], out[1]


def _rules_page(
    request: HttpRequest,
    membership: Membership,
    form: RuleForm | None = None,
    preview: Any = None,
    status: int = 200,
) -> HttpResponse:
    rules = list(selectors.rules(membership))
    for rule in rules:
        rule.described_conditions = [describe_condition(c) for c in rule.conditions]  # type: ignore[attr-defined]
        rule.described_actions = rule_actions.describe_actions(membership, rule.actions)  # type: ignore[attr-defined]
    return render_page(
        request,
        membership,
        "web/inbox/rules.html",
        {
            "rules": rules,
            "form": form or RuleForm(),
            "preview": preview,
            "fields": FIELDS,
            "action_types": list(ACTION_TYPES.values()),
            "teams": membership.workspace.teams.order_by("name"),
            "people": selectors.assignable(membership),
            "case_types": CaseType.objects.filter(workspace=membership.workspace).order_by("name"),
            "can_manage": can(membership, Verb.MANAGE_ROUTING_RULES),
        },
        section="inbox",
        status=status,
    )


@member_view
def rules(request: HttpRequest, slug: str) -> HttpResponse:
    """The routing rules in order; managers add, preview (dry run), switch and delete them."""
    membership = access_workspace(request.user, slug)
    require(membership, Verb.SEE_ROUTING_RULES)
    if request.method != "POST":
        return _rules_page(request, membership)
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            conditions, acts = form.parsed()
            if request.POST.get("preview"):
                preview = rule_actions.dry_run(
                    membership,
                    conditions=conditions,
                    actions=acts,
                    match=form.cleaned_data["match"],
                )
                return _rules_page(request, membership, form=form, preview=preview)
            rule = rule_actions.create_rule(
                membership,
                name=form.cleaned_data["name"],
                conditions=conditions,
                actions=acts,
                match=form.cleaned_data["match"],
                stop=form.cleaned_data["stop"],
            )
        except ValidationError as e:
            add_action_errors(form, e)
        else:
            messages.success(request, f"Rule “{rule.name}” added; it routes every new post.")
            return redirect(_url(slug, "inbox_rules"))
    return _rules_page(request, membership, form=form, status=400)


@member_view
@require_POST
def rule_toggle(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    rule = access_rule(membership, rule_id)
    rule_actions.update_rule(membership, rule, enabled=not rule.enabled)
    messages.success(request, f"Rule “{rule.name}” {'on' if rule.enabled else 'off'}.")
    return redirect(_url(slug, "inbox_rules"))


@member_view
@require_POST
def rule_delete(request: HttpRequest, slug: str, rule_id: int) -> HttpResponse:
    membership = access_workspace(request.user, slug)
    rule = access_rule(membership, rule_id)
    rule_actions.delete_rule(membership, rule)
    messages.success(request, f"Rule “{rule.name}” deleted.")
    return redirect(_url(slug, "inbox_rules"))
