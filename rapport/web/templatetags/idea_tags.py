"""`{% idea_actions post %}`: "Turn into an idea" and "Add as a vote" on a post, for the roles
that may.

Written in Python, not as an included template, for the same reason as `triage_tags`: the
listening page shows 25 posts and an include per post costs more than the links. Every value
goes through `format_html`, which escapes it.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from rapport.ideas import markdown

register = template.Library()

LINK = '<a href="{}#{}" class="small">{}<span class="visually-hidden">: post by {}</span></a>'


@register.simple_tag(takes_context=True)
def idea_actions(context: Any, post: Any) -> SafeString:
    may = context.get("may") or {}
    submit, vote = may.get("SUBMIT_IDEAS"), may.get("VOTE_FOR_CUSTOMERS")
    if not (submit or vote):
        return mark_safe("")
    url = reverse("web:idea_from_post", args=[context["workspace"].slug, post.pk])
    who = post.author_handle or post.author_name
    links = format_html_join(
        "",
        LINK,
        (
            (url, anchor, words, who)
            for anchor, words, allowed in (
                ("new", "Turn into an idea", submit),
                ("vote", "Add as a vote", vote),
            )
            if allowed
        ),
    )
    return format_html('<span class="post-idea-actions">{}</span>', links)


@register.filter
def idea_markdown(text: str) -> SafeString:
    """An idea's body as its safe Markdown subset (`rapport.ideas.markdown`: HTML stays text)."""
    return markdown.render(text or "")


@register.filter
def idea_excerpt(text: str) -> str:
    """The start of an idea's body as plain text, for lists (escaped by the template)."""
    return markdown.excerpt(text or "")
