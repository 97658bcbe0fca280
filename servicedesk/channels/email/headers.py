"""Header values read from the raw text the parser keeps.

`email.policy.default` builds a header object on every access (about 100 µs
for a Content-Type); these readers work on the raw strings from
`Message.raw_items()` instead, and are tolerant of what real mail contains."""

from __future__ import annotations

import re
from collections.abc import Iterable
from email.message import Message
from email.utils import getaddresses
from urllib.parse import unquote_to_bytes

from servicedesk.channels.email.charsets import clean, decode_bytes, decode_words, fix_8bit

MAX_HEADER_CHARS = 16_000  # of one header's raw value; a 1 MB header is cut here
MAX_ID_CHARS = 998

_PARAM = re.compile(
    r"""\s*;?\s*([^\s=;"]+)\s*=\s*("(?:\\.|[^"\\])*"?|[^;]*)""",
)
_SECTION = re.compile(r"^(.*?)\*(\d{1,3})(\*?)$")
_QUOTED_PAIR = re.compile(r"\\(.)")
_MESSAGE_ID = re.compile(r"<([^<>]{1,998})>")
_NOT_IN_ID = re.compile("[\x00-\x20\x7f\ud800-\udfff<>]")
_MAILBOX = re.compile(
    r"""\s*(?:(?:"((?:[^"\\]|\\.){0,300})"|([^"<>,;:()\\@\[\]]{0,300}?))\s*<([^<>\s"(),;:\\]{1,320})>"""
    r"""|([^<>\s"(),;:\\]{1,320}))\s*(?:,\s*|$)"""
)
_TOKEN = re.compile(r"^[a-z0-9!#$&^_.+-]{1,100}/[a-z0-9!#$&^_.+-]{1,150}$")


def unfold(value: str, *, keep_end: bool = False) -> str:
    """One line; at most MAX_HEADER_CHARS, from the start (or the end: References)."""
    value = value[-MAX_HEADER_CHARS:] if keep_end else value[:MAX_HEADER_CHARS]
    return value.replace("\r", "").replace("\n", "") if "\n" in value or "\r" in value else value


def collect(message: Message, wanted: Iterable[str]) -> dict[str, list[str]]:
    """Raw values of the wanted headers (lower-case names), in order, in one pass."""
    names = set(wanted)
    found: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        key = name.lower()
        if key in names:
            found.setdefault(key, []).append(unfold(str(value), keep_end=key == "references"))
    return found


def decode(value: str) -> str:
    """A header for display: RFC 2047 and raw 8-bit decoded, NUL-free."""
    return clean(decode_words(value))


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith('"'):
        value = value[1:-1] if value.endswith('"') and len(value) > 1 else value[1:]
        return _QUOTED_PAIR.sub(r"\1", value)
    return value


def parse_params(value: str) -> tuple[str, dict[str, str]]:
    """`text/plain; charset="utf-8"` → ("text/plain", {"charset": "utf-8"}).

    RFC 2231 (continuations, `charset'lang'%XX` values) and RFC 2047 words in
    quoted values (Outlook, Gmail) are decoded; 8-bit bytes are decoded."""
    value = value[:MAX_HEADER_CHARS]
    head, _, rest = value.partition(";")
    simple: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[bool, str]]] = {}
    for match in _PARAM.finditer(rest):
        name = match[1].lower()
        raw = match[2]
        section = _SECTION.match(name)
        if section:
            sections.setdefault(section[1], {})[int(section[2])] = (bool(section[3]), _unquote(raw))
        elif name.endswith("*"):
            sections.setdefault(name[:-1], {})[0] = (True, _unquote(raw))
        else:
            simple.setdefault(name, _unquote(raw))
    params = {name: decode(text) for name, text in simple.items()}
    for name, parts in sections.items():
        params[name] = _join_sections(parts)
    return head.strip().lower(), params


def _join_sections(parts: dict[int, tuple[bool, str]]) -> str:
    charset = ""
    data = bytearray()
    for index in sorted(parts):
        encoded, text = parts[index]
        if encoded:
            if index == sorted(parts)[0] and text.count("'") >= 2:
                charset, _, text = text.split("'", 2)
            data += unquote_to_bytes(text.encode("utf-8", "surrogateescape"))
        else:
            data += text.encode("utf-8", "surrogateescape")
    return clean(decode_words(decode_bytes(bytes(data), charset or None)[0]))


def content_type(value: str | None, default: str) -> tuple[str, dict[str, str]]:
    """The lower-case type/subtype (the default when missing or malformed) and params."""
    if value is None:
        return default, {}
    kind, params = parse_params(value)
    kind = "".join(kind.split())
    return (kind if _TOKEN.match(kind) else "text/plain"), params


def clean_id(value: str) -> str:
    return _NOT_IN_ID.sub("", value.strip())


def message_ids(value: str, *, bare: bool = False) -> list[str]:
    """Message ids without <>, in order, de-duplicated. Without any <…>, tokens
    containing "@" are taken (or, with `bare`, the whole value as one id)."""
    found = _MESSAGE_ID.findall(value)
    if not found:
        found = [value] if bare else [t for t in value.replace(",", " ").split() if "@" in t]
    ids = (clean_id(item) for item in found)
    return list(dict.fromkeys(item for item in ids if 0 < len(item) <= MAX_ID_CHARS))


def _simple_addresses(value: str) -> list[tuple[str, str]] | None:
    """The common `Name <a@b>, "Last, First" <c@d>, e@f` without the general
    parser (five times faster); None when the value needs the general parser."""
    pairs = []
    pos = 0
    for match in _MAILBOX.finditer(value):
        if match.start() != pos:
            return None
        pos = match.end()
        quoted, plain, angle, bare = match.groups()
        if bare is not None:
            pairs.append(("", bare))
        else:
            name = _QUOTED_PAIR.sub(r"\1", quoted) if quoted is not None else plain or ""
            pairs.append((name, angle))
    return pairs if pos == len(value) else None


def addresses(value: str) -> list[tuple[str, str]]:
    """(display name, address) pairs; names decoded after splitting, so an
    encoded comma inside a name cannot split it."""
    value = fix_8bit(value)
    pairs = _simple_addresses(value)
    if pairs is None:
        pairs = getaddresses([value])
    result = []
    for name, address in pairs:
        address = clean("".join(address.split()))
        if address:
            result.append((" ".join(decode(name).split()), address))
    return result
