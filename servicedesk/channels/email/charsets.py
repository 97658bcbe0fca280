"""Bytes and header text to `str`, whatever the sender's client claimed.

Order of trust for a body or header: strict UTF-8 when the bytes decode as
UTF-8 (a label of iso-8859-1 or us-ascii on UTF-8 text is the commonest lie),
else the declared charset, else windows-1255 (this desk's customers write
Hebrew), else windows-1252 with replacement characters and a warning.

Nothing here raises on any input."""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from functools import lru_cache

# Labels mail clients send that Python does not know, or knows as something else.
_ALIASES = {
    "iso-8859-8-i": "iso-8859-8",  # logical-order Hebrew: the same bytes
    "iso_8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "iso_8859-8-e": "iso-8859-8",
    "csiso88598i": "iso-8859-8",
    "csiso88598e": "iso-8859-8",
    "logical": "iso-8859-8",
    "visual": "iso-8859-8",  # visual-order Hebrew: shown as sent, not reordered
    "x-user-defined": "windows-1255",  # Outlook Express: "the system code page"
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "unicode-2-0-utf-8": "utf-8",
    "utf8mb4": "utf-8",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",  # the label is used for the GBK/GB18030 superset
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "iso-8859-1": "windows-1252",  # what "latin-1" mail really is (WHATWG)
    "latin1": "windows-1252",
    "iso_8859-1": "windows-1252",
}
# Codecs that are text encodings to Python but never a mail charset.
_REFUSED = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode"}
# For these, "the bytes happen to be valid UTF-8" says nothing (UTF-16 ASCII
# text is valid UTF-8 with NULs; ISO-2022 and UTF-7 are 7-bit): use the label.
_LABEL_FIRST = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-7"}

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL text cannot hold these
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_ENCODED_WORD = re.compile(r"=\?([^?\s]{1,64})\?([bBqQ])\?([^?]{0,2000}?)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def _label(label: str) -> str:
    name = label.strip().strip("\"'").strip().lower()
    return name.split("*", 1)[0]  # RFC 2231 language suffix: utf-8*he


@lru_cache(maxsize=256)
def _lookup(name: str) -> str | None:
    if not name or len(name) > 40:
        return None
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _REFUSED:
        return None
    return info.name


def codec_for(label: str | None) -> str | None:
    """Python's codec name for a MIME charset label; None when unknown or refused."""
    if not label:
        return None
    name = _label(label)
    return _lookup(_ALIASES.get(name, name))


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        # A multi-byte character cut off at the very end (a truncated message)
        # is not a reason to distrust the rest.
        head = data[: exc.start]
        if (
            codec == "utf-8"
            and exc.start >= len(data) - 3
            and exc.reason.startswith("unexpected end")
            and not head.isascii()  # other UTF-8 before it: evidence, not a guess
        ):
            return head.decode(codec) + "\ufffd"
        return None
    except (LookupError, ValueError, TypeError):
        return None


def decode_bytes(data: bytes, declared: str | None) -> tuple[str, str | None]:
    """Text and, when the result is a guess, a note saying so ("… read as Hebrew")."""
    name = _label(declared) if declared else ""
    codec = _lookup(_ALIASES.get(name, name)) if name else None
    if codec is not None and (codec in _LABEL_FIRST or codec.startswith(("iso2022", "hz"))):
        text = _strict(data, codec)
        if text is not None:
            return text, None
    if data.isascii():
        return data.decode("ascii"), None
    candidates = ["utf-8"]
    if codec is not None:
        candidates.append(codec)
        unaliased = _lookup(name) if name in _ALIASES else None
        if unaliased is not None:
            candidates.append(unaliased)  # iso-8859-1 after windows-1252
    for candidate in dict.fromkeys(candidates):
        text = _strict(data, candidate)
        if text is not None:
            return text, None
    shown = f"'{name[:40]}'" if name else ""
    if name and codec is None:
        why = f"is in an unknown character set {shown}"
    elif name:
        why = f"is labelled {shown} but is not"
    else:
        why = "names no character set"
    if codec != "cp1255":
        text = _strict(data, "cp1255")
        if text is not None:
            return text, f"{why}; read as Hebrew (windows-1255)"
    if codec is not None and codec not in ("utf-8", "ascii"):
        return data.decode(codec, errors="replace"), f"{why}; some characters could not be read"
    return (
        data.decode("cp1252", errors="replace"),
        f"{why}; shown as Western European (windows-1252), some characters may be wrong",
    )


def fix_8bit(value: str) -> str:
    """Header text as the parser gives it: raw 8-bit bytes are surrogate escapes."""
    if value.isascii():
        return value
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeError:
        return clean(value)
    return decode_bytes(data, None)[0]


def _word_bytes(encoding: str, text: str) -> bytes | None:
    raw = text.encode("utf-8", "surrogateescape")
    if encoding in "qQ":
        return _Q_ESCAPE.sub(lambda m: bytes((int(m[1], 16),)), raw.replace(b"_", b" "))
    raw = _NOT_BASE64.sub(b"", raw.split(b"=", 1)[0])
    if len(raw) % 4 == 1:  # a lone trailing character carries no whole byte
        raw = raw[:-1]
    try:
        return base64.b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return None


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded, tolerating what real clients send:
    words split in the middle of a multi-byte character, missing padding,
    spaces inside Q words, words glued together, unknown charsets."""
    value = fix_8bit(value)
    if "=?" not in value:
        return value
    out: list[str] = []
    pending = bytearray()
    pending_charset = ""
    after_word = False
    pos = 0

    def flush() -> None:
        nonlocal pending
        if pending:
            out.append(decode_bytes(bytes(pending), pending_charset)[0])
            pending = bytearray()

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        if between and not (after_word and between.isspace()):
            flush()
            out.append(between)
        data = _word_bytes(match[2], match[3])
        if data is None:
            flush()
            out.append(match[0])
            after_word = False
        else:
            charset = match[1].split("*", 1)[0].lower()
            if charset != pending_charset:
                flush()
                pending_charset = charset
            pending += data
            after_word = True
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def clean(text: str) -> str:
    """Without the characters PostgreSQL text cannot store (NUL, lone surrogates)."""
    return _UNSTORABLE.sub("", text) if not text.isascii() or "\x00" in text else text


def one_line(text: str, limit: int) -> str:
    """Controls removed, whitespace collapsed, at most `limit` characters."""
    text = _CONTROLS.sub(" ", text[: limit * 4])
    return " ".join(text.split())[:limit]
