"""`{% triage_badges post %}`: a post's triage badges, each with its correction menu.

Written in Python, not as an included template: the listening page shows 25 posts with two or
three badges each, and the template version was most of the page's CPU (a form, two URLs and a
list of choices per badge). Every value goes through `format_html`, which escapes it.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from rapport.triage.selectors import Badge

register = template.Library()


def _kind(b: Badge) -> str:
    kind = f"sentiment-{b.value}" if b.field == "sentiment" else b.field
    if b.field == "complaint":
        kind = "complaint"
    return f"badge {kind}{' corrected' if b.correction else ''}"


def _shown(b: Badge, corrected_mark: SafeString) -> SafeString:
    if b.correction:
        mark = corrected_mark
    elif b.percent is not None:
        mark = format_html('<span class="confidence">{}%</span>', b.percent)
    else:
        mark = mark_safe("")
    return format_html(
        '<span class="visually-hidden">{}: </span>{}{}', b.field.capitalize(), b.label, mark
    )


def _menu(b: Badge, post_id: int, url: str, csrf: str, focus: str) -> SafeString:
    if b.correction:
        by = b.correction.corrected_by
        title = format_html(
            "Corrected{}; the model said {}. Choose to correct.",
            f" by {by.display_name}" if by else "",
            b.model_label,
        )
        said = format_html("Corrected; the model said {}.", b.model_label)
    else:
        title = format_html("The model's confidence: {}%. Choose to correct.", b.percent)
        said = format_html("The model is {}% sure. Correct it:", b.percent)
    choices = format_html_join(
        "",
        '<li><button type="submit" name="value" value="{}"{}>{}{}</button></li>',
        (
            (
                value,
                mark_safe(' aria-current="true"') if value == b.value else "",
                words,
                " (now)" if value == b.value else "",
            )
            for value, words in b.choices
        ),
    )
    return format_html(
        '<details class="triage-badge" data-triage-field="{field}">'
        '<summary class="{kind}"{autofocus} title="{title}">{shown}'
        '<span class="visually-hidden">. Correct it</span></summary>'
        '<form class="triage-menu" method="post" action="{url}" hx-post="{url}" '
        'hx-target="#triage-{post}" hx-swap="outerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        '<input type="hidden" name="field" value="{field}">'
        '<p class="muted">{said}</p><ul>{choices}</ul></form></details>',
        field=b.field,
        kind=_kind(b),
        autofocus=mark_safe(" autofocus") if focus == b.field else "",
        title=title,
        shown=_shown(
            b,
            mark_safe('<span class="confidence" aria-label="corrected by a person">✓</span>'),
        ),
        url=url,
        post=post_id,
        csrf=csrf,
        said=said,
        choices=choices,
    )


def _plain(b: Badge) -> SafeString:
    if b.correction:
        title = format_html("Corrected by a person; the model said {}", b.model_label)
    else:
        title = format_html("The model's confidence: {}%", b.percent)
    return format_html(
        '<span class="{}" title="{}">{}</span>',
        _kind(b),
        title,
        _shown(b, mark_safe('<span class="confidence">✓</span>')),
    )


@register.simple_tag(takes_context=True)
def triage_badges(context: Any, post: Any) -> SafeString:
    """The badges of `post` (`post.triage`): sentiment, intent, and complaint when it is one or
    a person said so; each a correction menu where `can_correct`."""
    labels = post.triage
    if labels is None:
        return mark_safe("")
    shown = [labels.sentiment, labels.intent]
    complaint = labels.complaint
    if complaint and (complaint.value == "1" or complaint.correction):
        shown.append(complaint)
    if context.get("can_correct"):
        url = reverse("web:listening_triage_correct", args=[context["workspace"].slug, post.pk])
        csrf, focus = str(context.get("csrf_token", "")), context.get("focus_field", "")
        parts = [_menu(b, post.pk, url, csrf, focus) for b in shown if b]
    else:
        parts = [_plain(b) for b in shown if b]
    return format_html_join("", "{}", ((p,) for p in parts))
