"""HTML from feeds, comments and mail as plain text: scripts and styles dropped, links kept.

Social HTML is untrusted: nothing here is executed or rendered, and the text that comes out is
escaped wherever it is shown. Every connector that receives HTML uses it.
"""

import re
from collections.abc import Callable
from html.parser import HTMLParser

_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title", "iframe", "object"})
_BLOCK = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "section",
        "article", "header", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dd", "dt",
    }
)  # fmt: skip
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


class _TextExtractor(HTMLParser):
    def __init__(self, keep_link: Callable[[dict[str, str | None]], bool]) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0
        self._keep_link = keep_link

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n\n" if tag == "p" else "\n")
        if tag == "a":
            attr = dict(attrs)
            href = (attr.get("href") or "").strip()
            if (
                href.lower().startswith(("http://", "https://"))
                and href not in self.links
                and self._keep_link(attr)
            ):
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def _any_link(attrs: dict[str, str | None]) -> bool:
    return True


def html_to_text(
    markup: str, keep_link: Callable[[dict[str, str | None]], bool] = _any_link
) -> tuple[str, list[str]]:
    """Plain text and the http(s) links of an HTML fragment (script/style content dropped).

    `keep_link(attributes of <a>)` decides which links to keep (e.g. not a network's mentions).
    """
    if "<" not in markup and "&" not in markup:
        return _tidy(markup), []
    parser = _TextExtractor(keep_link)
    parser.feed(markup)
    parser.close()
    return _tidy("".join(parser.parts)), parser.links


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\xa0", " ").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
