"""Plain text from HTML mail, and RFC 3676 format=flowed undone."""

from __future__ import annotations

from html.parser import HTMLParser

MAX_CONVERTED_CHARS = 500_000  # html.parser costs ~10 µs a tag: bound a tag bomb

_BLOCK = frozenset(
    "address article aside blockquote center dd div dl dt fieldset figcaption figure footer"
    " form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead tfoot"
    " tr ul".split()
)
_PARAGRAPH = frozenset("p h1 h2 h3 h4 h5 h6 table ul ol dl pre blockquote".split())
_HIDDEN = frozenset("script style head title template noscript xml".split())


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[int, str]] = []  # (quote depth, text); "" is a blank line
        self.current: list[str] = []
        self.current_depth = 0
        self.depth = 0
        self.hidden = 0
        self.pre = 0

    def _commit(self, *, blank_if_empty: bool = False) -> None:
        text = "".join(self.current)
        text = text.rstrip() if self.pre else text.strip(" ")
        self.current = []
        if text.strip():
            self.lines.append((self.current_depth, text))
        elif blank_if_empty:
            self.lines.append((self.depth, ""))

    def _paragraph(self) -> None:
        self._commit()
        if self.lines and self.lines[-1][1]:
            self.lines.append((self.depth, ""))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self._commit(blank_if_empty=True)
        elif tag in _PARAGRAPH:
            self._paragraph()
            if tag == "blockquote":
                self.depth += 1
            elif tag == "pre":
                self.pre += 1
        elif tag in _BLOCK:
            self._commit()
            if tag == "li":
                self.current.append("- ")
                self.current_depth = self.depth
        elif tag in ("td", "th") and self.current and not self.current[-1].endswith(" "):
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _PARAGRAPH:
            self._commit()
            if tag == "blockquote":
                while self.lines and not self.lines[-1][1] and self.lines[-1][0] == self.depth:
                    self.lines.pop()
                self.depth = max(0, self.depth - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._paragraph()
        elif tag in _BLOCK:
            self._commit()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._commit(blank_if_empty=True)
        elif tag in _BLOCK or tag in _PARAGRAPH:
            self._commit()

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.pre:
            for index, chunk in enumerate(data.split("\n")):
                if index:
                    self._commit(blank_if_empty=True)
                self._append(chunk)
            return
        text = " ".join(data.split())
        if data[:1].isspace() and text:
            text = " " + text
        if data[-1:].isspace():
            text += " "
        if text.strip() or (self.current and not self.current[-1].endswith(" ")):
            self._append(text)

    def _append(self, text: str) -> None:
        if not self.current:
            self.current_depth = self.depth
        self.current.append(text)

    def result(self) -> str:
        self._commit()
        out: list[str] = []
        for depth, text in self.lines:
            if not text and out and not out[-1].strip("> "):
                continue  # one blank line at a time
            out.append(("> " * depth + text).rstrip() if depth else text)
        while out and not out[-1].strip("> "):
            out.pop()
        while out and not out[0].strip("> "):
            out.pop(0)
        return "\n".join(out)


def html_to_text(html: str) -> tuple[str, bool]:
    """Readable text: paragraphs and line breaks kept, script/style dropped,
    <blockquote> shown as "> " lines (so quoted history is found like in plain
    text). Returns the text and whether the HTML had to be cut short or was
    too broken to read to the end."""
    parser = _TextExtractor()
    complete = len(html) <= MAX_CONVERTED_CHARS
    try:
        parser.feed(html[:MAX_CONVERTED_CHARS])
        parser.close()
    except Exception:  # html.parser can still assert on odd markup; keep what was read
        complete = False
    return parser.result(), complete


def unflow(text: str, *, delsp: bool) -> str:
    """RFC 3676: join soft-broken lines (ending in a space), keep quote depth."""
    out: list[str] = []
    buffer: str | None = None
    buffer_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing (or the space after ">")
        soft = content.endswith(" ") and content != "-- "
        if soft and delsp:
            content = content[:-1]
        if buffer is not None and depth != buffer_depth:
            out.append(_quoted(buffer, buffer_depth))
            buffer = None
        if buffer is None:
            buffer, buffer_depth = content, depth
        else:
            buffer += content
        if not soft:
            out.append(_quoted(buffer, buffer_depth))
            buffer = None
    if buffer is not None:
        out.append(_quoted(buffer, buffer_depth))
    return "\n".join(out)


def _quoted(text: str, depth: int) -> str:
    return ("> " * depth + text).rstrip(" ") if depth else text
