"""The new text of a reply: quoted history and signature removed.

Recognised, in English and Hebrew: the attribution line of Gmail, Apple Mail
and Thunderbird ("On … wrote:", "בתאריך … מאת …:", "ב-… כתב/ה:"), Outlook's
"-----Original Message-----" and its "From: / Sent: / To: / Subject:" block,
trailing ">"-quoted lines, and the "-- " signature separator. Text under a
"Forwarded message" marker is content, not history, and is kept."""

from __future__ import annotations

import re

_BIDI_MARKS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff"
_BIDI = re.compile(f"[{_BIDI_MARKS}]")
# First characters of the lines worth a regular expression: most lines are not.
_QUOTE_STARTS = frozenset("oOlLaAeEבfF*מ-" + _BIDI_MARKS)
_FORWARD_STARTS = frozenset("-bB" + _BIDI_MARKS)
_MAX_ATTRIBUTION = 400
_ATTRIBUTION_FIRST = frozenset("olaeב")  # cheap test before the regular expressions
_BLOCK_FIRST = frozenset("*fמ")
_DIGIT = re.compile(r"\d")

_ATTRIBUTION = re.compile(
    r"""^(?:
        On\s.{4,300}\swrote\s?:                 # Gmail, Apple Mail, Thunderbird
      | Le\s.{4,300}\sa\sécrit\s?:
      | Am\s.{4,300}\sschrieb\s.{0,200}:
      | El\s.{4,300}\sescribió\s?:
      | בתאריך\s.{4,300}\sמאת\s.{1,300}:      # Gmail in Hebrew
      | ב[-־]?\s?.{4,300}\sכתב(?:/ה|ה)?\s?:     # Gmail in Hebrew, newer
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^-{2,}\s*(?:original\s+message|הודעה\s+מקורית|ursprüngliche\s+nachricht"
    r"|message\s+d'origine)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^(?:-{2,}\s*(?:forwarded\s+message|הודעה\s+שהועברה|הודעה\s+מועברת)\s*-{2,}"
    r"|begin\s+forwarded\s+message\s*:)\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^(?:_{8,}|-{8,})\s*$")
_FROM = re.compile(r"^\*{0,2}(?:from|מאת)\s*:\*{0,2}\s*\S", re.IGNORECASE)
_SENT = re.compile(r"^\*{0,2}(?:sent|date|נשלח|תאריך)\s*:", re.IGNORECASE)
_SUBJECT = re.compile(r"^\*{0,2}(?:subject|נושא)\s*:", re.IGNORECASE)
_INLINE_BLOCK = re.compile(
    r"^\*{0,2}(?:from|מאת)\s*:.{1,300}\s(?:sent|date|נשלח|תאריך)\s*:.{1,300}\s(?:subject|נושא)\s*:",
    re.IGNORECASE,
)
_WROTE = re.compile(r"(?:wrote|writes|כתב(?:/ה|ה)?)\s*:\s*$", re.IGNORECASE)
_SIGNATURE = re.compile(r"^-- ?$")
_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|fw|העבר|הועבר)\s*:", re.IGNORECASE)


def is_forward_subject(subject: str) -> bool:
    return bool(_FORWARD_SUBJECT.match(subject))


def _plain(line: str) -> str:
    """The line without the bidi marks Gmail and Outlook put around Hebrew."""
    return (line if line.isascii() else _BIDI.sub("", line)).strip()


def _is_header_block(lines: list[str], index: int) -> bool:
    """An Outlook "From: … Sent: … To: … Subject: …" block starts here."""
    first = _plain(lines[index])
    if _INLINE_BLOCK.match(first):
        return True
    if not _FROM.match(first):
        return False
    sent = subject = False
    for line in lines[index + 1 : index + 9]:
        text = _plain(line)
        sent = sent or bool(_SENT.match(text))
        subject = subject or bool(_SUBJECT.match(text))
        if sent and subject:
            return True
    return False


def _quote_start(lines: list[str], *, outlook: bool) -> int | None:
    for index, line in enumerate(lines):
        if line.lstrip()[:1] not in _QUOTE_STARTS:
            continue
        text = _plain(line)
        if not text or len(text) > _MAX_ATTRIBUTION:
            continue
        first = text[0].lower()
        if first in _ATTRIBUTION_FIRST:
            if _ATTRIBUTION.match(text) and _DIGIT.search(text):
                return index
            if index + 1 < len(lines):  # Gmail wraps a long attribution line
                joined = f"{text} {_plain(lines[index + 1])}"
                if _ATTRIBUTION.match(joined) and _DIGIT.search(joined):
                    return index
        if not outlook:
            continue
        if first == "-" and _ORIGINAL.match(text):
            return index
        if first in _BLOCK_FIRST and _is_header_block(lines, index):
            above = index - 1
            while above >= 0 and not _plain(lines[above]):
                above -= 1
            return above if above >= 0 and _RULE.match(_plain(lines[above])) else index
    return None


def _drop_trailing_quote(lines: list[str]) -> list[str]:
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    quoted = False
    while start and (lines[start - 1].lstrip().startswith(">") or not lines[start - 1].strip()):
        quoted = quoted or lines[start - 1].lstrip().startswith(">")
        start -= 1
    if not quoted:
        return lines
    kept = lines[:start]
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and _WROTE.search(_plain(kept[-1])):
        kept.pop()
    return kept


def _drop_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line[:1] in _FORWARD_STARTS and _SIGNATURE.match(_BIDI.sub("", line)):
            return lines[:index]
    return lines


def strip_quotes(text: str, *, forwarded: bool = False) -> str:
    """`text` without the quoted history of a reply and without the signature.

    `forwarded` (the subject says Fwd:/FW:) keeps Outlook header blocks, which
    Outlook writes the same way for a forward as for a reply. When removing
    would leave nothing, the text is returned whole."""
    lines = text.split("\n")
    forward_at = next(
        (
            index
            for index, line in enumerate(lines)
            if line.lstrip()[:1] in _FORWARD_STARTS and _FORWARD.match(_plain(line))
        ),
        None,
    )
    head = lines if forward_at is None else lines[:forward_at]
    cut = _quote_start(head, outlook=not forwarded)
    if cut is not None:
        kept, tail = head[:cut], []
    else:
        kept, tail = head, ([] if forward_at is None else lines[forward_at:])
        if not tail:
            kept = _drop_trailing_quote(kept)
    if not "\n".join(kept).strip():
        return text
    unsigned = _drop_signature(kept)
    if "\n".join(unsigned).strip():
        kept = unsigned
    result = "\n".join(kept).rstrip()
    if tail:
        result += "\n\n" + "\n".join(tail).strip("\n")
    return result
