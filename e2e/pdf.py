"""Just enough of a PDF reader for the browser tests to check what a generated PDF says, page by
page, without a PDF library in the environment: the text of each page (through the fonts'
ToUnicode maps, as WeasyPrint writes them) and how much it draws (a chart's bars).

It reads what WeasyPrint (pydyf) writes: objects, compressed streams, object streams. It is not
a general PDF parser (no encryption, no cross-reference repair, no Type 3 fonts).
"""

import re
import zlib
from dataclasses import dataclass, field

_OBJ = re.compile(rb"(\d+)\s+(\d+)\s+obj\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")
_NAME_REF = re.compile(rb"/([^\s/<>\[\]()]+)\s+(\d+)\s+\d+\s+R")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]*)>")
_TOKEN = re.compile(
    rb"\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|/[^\s/<>\[\]()]+|[^\s/<>\[\]()]+",
    re.DOTALL,
)
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


@dataclass
class _Object:
    body: bytes
    stream: bytes | None = None


@dataclass
class _Font:
    width: int = 2
    codes: dict[bytes, str] = field(default_factory=dict)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).casefold()


def _dictionary(body: bytes, key: bytes) -> bytes:
    """The `<< … >>` value of /key in `body` (nested dictionaries kept whole), or b""."""
    at = re.search(rb"/" + key + rb"\s*<<", body)
    if at is None:
        return b""
    depth, i = 0, at.end() - 2
    while i < len(body) - 1:
        pair = body[i : i + 2]
        if pair == b"<<":
            depth, i = depth + 1, i + 2
        elif pair == b">>":
            depth, i = depth - 1, i + 2
            if depth == 0:
                return body[at.end() - 2 : i]
        else:
            i += 1
    return b""


class Document:
    def __init__(self, data: bytes) -> None:
        self.objects: dict[int, _Object] = {}
        self._read(data)
        self._fonts: dict[int, _Font] = {}

    def _read(self, data: bytes) -> None:
        for match in _OBJ.finditer(data):
            number = int(match.group(1))
            start = match.end()
            end = data.find(b"endobj", start)
            body = data[start:end]
            stream = None
            at = re.search(rb"\bstream\r?\n", body)
            if at is not None:
                raw = body[at.end() :]
                raw = raw[: raw.rfind(b"endstream")].rstrip(b"\r\n")
                header = body[: at.start()]
                length = re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", header)
                if length is not None:
                    raw = raw[: int(length.group(1))]
                stream = zlib.decompress(raw) if b"/FlateDecode" in header else raw
                body = header
            self.objects[number] = _Object(body, stream)
        for obj in list(self.objects.values()):
            if b"/ObjStm" in obj.body and obj.stream is not None:
                self._unpack(obj)

    def _unpack(self, holder: _Object) -> None:
        assert holder.stream is not None
        count = int(re.search(rb"/N\s+(\d+)", holder.body).group(1))  # type: ignore[union-attr]
        first = int(re.search(rb"/First\s+(\d+)", holder.body).group(1))  # type: ignore[union-attr]
        numbers = [int(n) for n in holder.stream[:first].split()]
        pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))[:count]
        for i, (number, offset) in enumerate(pairs):
            end = first + pairs[i + 1][1] if i + 1 < len(pairs) else len(holder.stream)
            self.objects.setdefault(number, _Object(holder.stream[first + offset : end]))

    def _resolve(self, value: bytes) -> bytes:
        ref = re.fullmatch(rb"\s*(\d+)\s+\d+\s+R\s*", value)
        return self.objects[int(ref.group(1))].body if ref else value

    def _entry(self, body: bytes, key: bytes) -> bytes:
        """The dictionary /key of `body`, direct or through a reference."""
        direct = _dictionary(body, key)
        if direct:
            return direct
        ref = re.search(rb"/" + key + rb"\s+(\d+)\s+\d+\s+R", body)
        return self.objects[int(ref.group(1))].body if ref else b""

    def pages(self) -> list[Page]:
        catalog = next(o for o in self.objects.values() if re.search(rb"/Type\s*/Catalog", o.body))
        root = re.search(rb"/Pages\s+(\d+)\s+\d+\s+R", catalog.body)
        assert root is not None, "no page tree"
        return [self._page(number) for number in self._leaves(int(root.group(1)))]

    def _leaves(self, number: int) -> list[int]:
        body = self.objects[number].body
        if not re.search(rb"/Type\s*/Pages\b", body):
            return [number]
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
        found: list[int] = []
        for ref in _REF.finditer(kids.group(1) if kids else b""):
            found += self._leaves(int(ref.group(1)))
        return found

    def _page(self, number: int) -> Page:
        body = self.objects[number].body
        contents = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)", body)
        refs = [int(r.group(1)) for r in _REF.finditer(contents.group(1))] if contents else []
        stream = b"\n".join(self.objects[r].stream or b"" for r in refs)
        text, painted, segments = self._run(stream, self._entry(body, b"Resources"))
        return Page(text=text, painted=painted, segments=segments)

    def _run(self, stream: bytes, resources: bytes, depth: int = 0) -> tuple[str, int, int]:
        def named(key: bytes) -> dict[str, int]:
            return {n.decode(): int(r) for n, r in _NAME_REF.findall(self._entry(resources, key))}

        fonts, forms = named(b"Font"), named(b"XObject")
        out: list[str] = []
        painted = segments = 0
        font = _Font()
        operands: list[bytes] = []
        for token in _TOKEN.findall(stream):
            if token[:1] in b"(<[]/" or re.fullmatch(rb"[-+.\d]+", token):
                operands.append(token)
                continue
            if token == b"Tf" and len(operands) >= 2:
                font = self._font(fonts.get(operands[-2][1:].decode(), 0))
            elif token in (b"Tj", b"TJ", b"'", b'"'):
                out.append("".join(_show(s, font) for s in operands if s[:1] in b"(<"))
                if token != b"TJ":
                    out.append(" ")
            elif token in (b"Td", b"TD", b"T*", b"Tm", b"ET"):
                out.append(" ")
            elif token == b"Do" and operands and depth < 4:
                form = self.objects.get(forms.get(operands[-1][1:].decode(), -1))
                if form is not None and form.stream is not None:
                    inner = self._entry(form.body, b"Resources") or resources
                    text, inner_painted, inner_segments = self._run(form.stream, inner, depth + 1)
                    out.append(text)
                    painted += inner_painted
                    segments += inner_segments
            elif token in _PAINT:
                painted += 1
            elif token in _SEGMENT:
                segments += 1
            operands = []
        return "".join(out), painted, segments

    def _font(self, number: int) -> _Font:
        if number in self._fonts:
            return self._fonts[number]
        font = _Font()
        obj = self.objects.get(number)
        ref = re.search(rb"/ToUnicode\s+(\d+)\s+\d+\s+R", obj.body) if obj else None
        cmap = self.objects[int(ref.group(1))].stream if ref else None
        if cmap:
            space = re.search(rb"begincodespacerange\s*<([0-9A-Fa-f]+)>", cmap)
            font.width = len(space.group(1)) // 2 if space else 2
            for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
                hexes = _HEX.findall(block)
                for code, text in zip(hexes[0::2], hexes[1::2], strict=False):
                    font.codes[bytes.fromhex(code.decode())] = _utf16(text)
            for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
                for low, high, text in re.findall(
                    rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
                ):
                    first = _utf16(text)
                    start, width = (ord(first[0]) if first else 0), len(low) // 2
                    for i, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                        font.codes[code.to_bytes(width, "big")] = chr(start + i)
        self._fonts[number] = font
        return font


def _utf16(hexed: bytes) -> str:
    return bytes.fromhex(hexed.decode()).decode("utf-16-be", errors="replace")


def _literal(token: bytes) -> bytes:
    body, out, i = token[1:-1], bytearray(), 0
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(body):
        ch = body[i : i + 1]
        if ch == b"\\" and i + 1 < len(body):
            nxt = body[i + 1 : i + 2]
            octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            out += escapes.get(nxt, nxt)
            i += 2
            continue
        out += ch
        i += 1
    return bytes(out)


def _show(token: bytes, font: _Font) -> str:
    raw = (
        bytes.fromhex(re.sub(rb"\s", b"", token[1:-1]).decode())
        if token[:1] == b"<"
        else (_literal(token))
    )
    if not font.codes:
        return raw.decode("latin-1")
    width = font.width
    return "".join(
        font.codes.get(raw[i : i + width], "") for i in range(0, len(raw) - width + 1, width)
    )


def pages(data: bytes) -> list[Page]:
    """The pages of the PDF `data`, in order, with their text and what they draw."""
    if not data.startswith(b"%PDF-"):
        raise ValueError("not a PDF file")
    return Document(data).pages()
