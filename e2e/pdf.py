"""What a generated PDF says and draws, page by page, for the browser tests: the text of each
page and how much it paints (a chart's bars), read with pypdf.

pypdf reads the file through its cross-reference table, so bytes inside compressed streams
(fonts, images) are never mistaken for objects, as a scan of the raw file would.
"""

import io
import re
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ContentStream, DictionaryObject

#: Operators that paint a path (fills and strokes), and those that build one (a rectangle, a
#: line, a curve: a chart's bars are many of these in a few painted paths).
_PAINT = {b"f", b"f*", b"F", b"B", b"B*", b"b", b"b*", b"S", b"s"}
_SEGMENT = {b"re", b"m", b"l", b"c", b"v", b"y", b"h"}


@dataclass
class Page:
    text: str
    painted: int  # paths filled or stroked, in its forms too
    segments: int  # rectangles, lines and curves those paths are made of

    def says(self, words: str) -> bool:
        """Whether the page's text holds `words` (spacing, which PDFs do not keep, ignored)."""
        return _squash(words) in _squash(self.text)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _drawing(
    content: object, resources: DictionaryObject | None, reader: PdfReader
) -> tuple[int, int]:
    """(paths painted, segments) of a content stream, and of the forms it draws (an SVG chart
    is a form in WeasyPrint's PDFs)."""
    named: Any = resources.get("/XObject") if resources is not None else None
    forms: Any = named.get_object() if named is not None else {}
    painted = segments = 0
    for operands, operator in ContentStream(content, reader).operations:
        if operator in _PAINT:
            painted += 1
        elif operator in _SEGMENT:
            segments += 1
        elif operator == b"Do" and operands and operands[0] in forms:
            form = forms[operands[0]].get_object()
            if form.get("/Subtype") == "/Form":
                inner = form.get("/Resources")
                inner_painted, inner_segments = _drawing(
                    form, inner.get_object() if inner is not None else resources, reader
                )
                painted += inner_painted
                segments += inner_segments
    return painted, segments


def pages(data: bytes) -> list[Page]:
    """The pages of the PDF `data`, in order, with their text and what they draw."""
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF file")
    reader = PdfReader(io.BytesIO(data), strict=True)
    found = []
    for page in reader.pages:
        contents = page.get_contents()
        painted, segments = (
            _drawing(contents, page.get("/Resources"), reader) if contents is not None else (0, 0)
        )
        found.append(Page(text=page.extract_text(), painted=painted, segments=segments))
    return found
