"""Delivery status notifications (RFC 3464): which of our messages bounced, for whom."""

from __future__ import annotations

import re
from email.message import Message

from servicedesk.channels.email.charsets import clean, decode_bytes, fix_8bit, one_line
from servicedesk.channels.email.headers import message_ids, unfold
from servicedesk.channels.message import Bounce
from servicedesk.errors import InvalidInput
from servicedesk.identities import normalise_email

MAX_RECIPIENTS = 100
_TYPE_PREFIX = re.compile(r"^\s*[A-Za-z0-9-]{1,20}\s*;\s*")
_HEADER_MESSAGE_ID = re.compile(r"^message-id[ \t]*:[ \t]*(.*(?:\n[ \t].*)*)", re.I | re.M)
_STATUS = re.compile(r"^\s*([245])\.\d{1,3}\.\d{1,3}")

Fields = dict[str, str]


def status_blocks(part: Message) -> list[Fields]:
    """The field groups of a message/delivery-status part: per-message first,
    then one per recipient. The stdlib parses them into sub-messages; when it
    did not (odd encodings), the text is read here."""
    payload = part.get_payload()
    blocks: list[Fields] = []
    if isinstance(payload, list):
        for block in payload[:MAX_RECIPIENTS]:
            if isinstance(block, Message):
                fields: Fields = {}
                for name, value in block.raw_items():
                    fields.setdefault(name.lower().strip(), unfold(str(value)).strip())
                blocks.append(fields)
        if any("action" in b or "status" in b for b in blocks):
            return blocks
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return blocks
    return _text_blocks(decode_bytes(data[:200_000], None)[0])


def _text_blocks(text: str) -> list[Fields]:
    blocks: list[Fields] = []
    for paragraph in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n")):
        fields: Fields = {}
        last = ""
        for line in paragraph.split("\n"):
            if line[:1] in (" ", "\t") and last:
                fields[last] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                last = name.strip().lower()
                fields.setdefault(last, value.strip())
        if fields:
            blocks.append(fields)
        if len(blocks) > MAX_RECIPIENTS:
            break
    return blocks


def returned_message_id(part: Message) -> str | None:
    """The Message-ID of the returned message/rfc822 or text/rfc822-headers part."""
    payload = part.get_payload()
    if isinstance(payload, list):
        inner = payload[0] if payload and isinstance(payload[0], Message) else None
        if inner is None:
            return None
        for name, value in inner.raw_items():
            if name.lower() == "message-id":
                ids = message_ids(unfold(str(value)), bare=True)
                return ids[0] if ids else None
        return None
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        return None
    match = _HEADER_MESSAGE_ID.search(data[:200_000].decode("ascii", "surrogateescape"))
    if match is None:
        return None
    ids = message_ids(unfold(match[1]), bare=True)
    return ids[0] if ids else None


def _address(value: str) -> str | None:
    address = _TYPE_PREFIX.sub("", fix_8bit(value)).strip().strip("<>").strip()
    try:
        return normalise_email(address)
    except InvalidInput:
        return None


def bounce_from(blocks: list[Fields], original_message_id: str | None) -> Bounce | None:
    """A Bounce for the failed (else delayed) recipients; None for a report
    that says only "delivered"/"relayed"/"expanded"."""
    failed: list[tuple[str, str, str]] = []
    delayed: list[tuple[str, str, str]] = []
    for fields in blocks:
        recipient = fields.get("original-recipient") or fields.get("final-recipient")
        if not recipient:
            continue
        address = _address(recipient)
        if address is None and fields.get("final-recipient"):
            address = _address(fields["final-recipient"])
        if address is None:
            continue
        action = fields.get("action", "").split("(")[0].strip().lower()
        status_match = _STATUS.match(fields.get("status", ""))
        status = status_match.group(0).strip() if status_match else ""
        diagnostic = fields.get("diagnostic-code", "")
        entry = (address, status, diagnostic)
        if action == "failed" or (not action and status.startswith("5")):
            failed.append(entry)
        elif action == "delayed" or (not action and status.startswith("4")):
            delayed.append(entry)
    chosen = failed or delayed
    if not chosen:
        return None
    if failed:
        statuses = [status for _, status, _ in failed if status]
        permanent = any(s.startswith("5") for s in statuses) or not statuses
    else:
        permanent = False
    first = next((e for e in chosen if e[2]), chosen[0])
    diagnostic = _TYPE_PREFIX.sub("", fix_8bit(first[2])) if first[2] else first[1]
    return Bounce(
        original_message_id=original_message_id,
        recipients=tuple(dict.fromkeys(address for address, _, _ in chosen)),
        permanent=permanent,
        diagnostic=clean(one_line(diagnostic, 1000)),
    )
