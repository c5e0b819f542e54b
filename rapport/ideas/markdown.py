"""An idea's body, written in a safe subset of Markdown, as HTML for the portal and staff pages.

Idea bodies are untrusted text (a customer on the portal, a post from the open web). The subset:
paragraphs, emphasis, lists, quotes, code, headings and links. HTML in the text is shown as text,
never interpreted; images are off (they would load from anywhere and track the reader); a link
must be an http, https or mailto address (a `javascript:` or `data:` one stays plain text) and
carries rel="nofollow ugc noopener", so a spammer gains nothing from the portal's ranking.
"""

from html import unescape
from urllib.parse import urlsplit

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

#: Schemes a link may have; anything else (javascript:, data:, a relative path) is not a link.
LINK_SCHEMES = ("http", "https", "mailto")
#: rel of every link: user content, not endorsed; the opened page gets no handle on this one.
LINK_REL = "nofollow ugc noopener"
#: The page's own headings come first: a body's "# Heading" is shown two levels down.
HEADING_SHIFT = 2


def _link_allowed(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if scheme == "mailto":
        return bool(parts.path)
    return scheme in LINK_SCHEMES and bool(parts.netloc)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable(["image", "html_block", "html_inline"])
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    return md


_md = _parser()


def _safe_tokens(tokens: list[Token]) -> list[Token]:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + HEADING_SHIFT, 6)
            token.tag = f"h{level}"
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("rel", LINK_REL)
    return tokens


def render(text: str) -> SafeString:
    """The body as HTML: every character of the text escaped except the subset's own markup."""
    tokens = _safe_tokens(_md.parse(text or ""))
    html: str = _md.renderer.render(tokens, _md.options, {})
    return mark_safe(html)  # noqa: S308 -- markdown-it escapes the text; HTML input is off


def excerpt(text: str, limit: int = 220) -> str:
    """The body as plain text (markup dropped), cut at a word near `limit` characters.

    Plain text: the template escapes it like any other text.
    """
    # Only the start is read: a list shows 20 excerpts of bodies up to 10,000 characters long.
    plain = " ".join(unescape(strip_tags(render((text or "")[: limit * 4]))).split())
    if len(plain) <= limit:
        return plain
    return plain[: limit - 1].rsplit(" ", 1)[0] + "…"
