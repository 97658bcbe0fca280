"""The MIME tree walked once: body text and HTML, attachments, forwarded
messages, signed/encrypted containers and delivery reports.

Hostile mail is bounded: at most `MAX_PARTS` parts, `MAX_DEPTH` levels; every
part is read on its own, so one broken part costs a warning, not the message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import Message
from html import escape

from servicedesk.channels.email import dsn
from servicedesk.channels.email.charsets import clean, decode_bytes
from servicedesk.channels.email.filenames import describe_size, fallback_name, safe_filename
from servicedesk.channels.email.headers import clean_id, content_type, decode, parse_params, unfold
from servicedesk.channels.email.text import html_to_text, unflow
from servicedesk.channels.email.transfer import body_bytes
from servicedesk.channels.message import Bounce, InboundAttachment

MAX_PARTS = 500
MAX_DEPTH = 20
_EML_POLICY = policy.default.clone(refold_source="none", cte_type="8bit", linesep="\r\n")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([\w.:-]{1,40})""", re.I)
_SIGNATURES = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature"})
_PKCS7_MIME = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
_DSN = frozenset({"message/delivery-status", "message/global-delivery-status"})
_RETURNED = frozenset({"message/rfc822", "message/global", "text/rfc822-headers"})
_RETURNED |= {"message/global-headers"}
_BROKEN = (errors.StartBoundaryNotFoundDefect, errors.CloseBoundaryNotFoundDefect)

Segment = tuple[str | None, str | None]  # (plain text, HTML) of one body piece


@dataclass
class _Info:
    kind: str
    params: dict[str, str]
    disposition: str = ""
    filename: str = ""
    content_id: str | None = None
    encoding: str = ""  # Content-Transfer-Encoding


@dataclass
class Walked:
    segments: list[Segment] = field(default_factory=list)
    attachments: list[InboundAttachment] = field(default_factory=list)
    forwarded: list[str] = field(default_factory=list)  # text sections, already headed
    warnings: list[str] = field(default_factory=list)
    bounce: Bounce | None = None
    report: bool = False  # multipart/report: machine-made


def _info(part: Message) -> _Info:
    ctype = disposition = cid = encoding = None
    for name, value in part.raw_items():
        key = name.lower()
        if key == "content-type" and ctype is None:
            ctype = str(value)
        elif key == "content-disposition" and disposition is None:
            disposition = str(value)
        elif key == "content-id" and cid is None:
            cid = str(value)
        elif key == "content-transfer-encoding" and encoding is None:
            encoding = str(value)
    kind, params = content_type(ctype, part.get_default_type())
    info = _Info(kind, params, encoding=encoding or "")
    if disposition is not None:
        info.disposition, disp_params = parse_params(disposition)
        info.filename = disp_params.get("filename", "")
    info.filename = info.filename or params.get("name", "")
    if cid is not None:
        content_id = clean_id(cid)
        info.content_id = content_id if 0 < len(content_id) <= 255 else None
    return info


def _texts(segments: list[Segment]) -> tuple[str, str]:
    plain = "\n".join(p for p, _ in segments if p and p.strip())
    html = "".join(h for _, h in segments if h)
    return plain, html


class Walker:
    def __init__(self, max_attachment_bytes: int) -> None:
        self.limit = max_attachment_bytes
        self.out = Walked()
        self.parts = 0
        self.stopped = False
        self.too_deep = False
        self.broken = False
        self.inside_forward = 0
        self.sink = self.out.forwarded  # where forwarded-message sections go

    def warn(self, text: str) -> None:
        if text not in self.out.warnings:
            self.out.warnings.append(text)

    def walk(self, message: Message) -> Walked:
        self.visit(message, 0, self.out.segments, related=False)
        return self.out

    def count(self) -> bool:
        """One more part; False once the limit is passed."""
        if self.stopped:
            return False
        self.parts += 1
        if self.parts > MAX_PARTS:
            self.stopped = True
            self.warn(f"The message has more than {MAX_PARTS} parts; only the first were read.")
            return False
        return True

    def visit(self, part: Message, depth: int, into: list[Segment], *, related: bool) -> None:
        if not self.count():
            return
        if depth > MAX_DEPTH:
            if not self.too_deep:
                self.too_deep = True
                self.warn(
                    f"The message is nested more than {MAX_DEPTH} levels deep;"
                    " the deeper parts were not read."
                )
            return
        if not self.broken and any(isinstance(d, _BROKEN) for d in part.defects):
            self.broken = True
            self.warn("The message structure is damaged or cut short; some parts may be missing.")
        try:
            self._visit(part, depth, into, related=related)
        except Exception as exc:  # one unreadable part must not lose the others
            self.warn(f"Part {self.parts} of the message could not be read ({type(exc).__name__}).")

    def _visit(self, part: Message, depth: int, into: list[Segment], *, related: bool) -> None:
        info = _info(part)
        if part.is_multipart():
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            main, _, sub = info.kind.partition("/")
            if main == "message":
                self._message(part, info, children, depth, into)
            elif sub == "alternative":
                self._alternative(children, depth, into, related=related)
            elif sub == "signed":
                for index, child in enumerate(children):
                    if index == 0:
                        self.visit(child, depth + 1, into, related=related)
                    else:
                        self._attach_part(child)
            elif sub == "encrypted":
                self.warn("The message is encrypted; its content could not be read.")
                for child in children:
                    self._attach_part(child)
            elif sub == "report":
                self._report(info, children, depth, into)
            else:
                for child in children:
                    self.visit(child, depth + 1, into, related=related or sub == "related")
            return
        if info.kind.startswith("multipart/"):
            info.kind = "text/plain"  # a multipart without a boundary: read as text
        self._leaf(part, info, into, related=related)

    def _alternative(
        self, children: list[Message], depth: int, into: list[Segment], *, related: bool
    ) -> None:
        plain = html = ""
        for child in children:
            pieces: list[Segment] = []
            self.visit(child, depth + 1, pieces, related=related)
            child_plain, child_html = _texts(pieces)
            plain = plain or child_plain  # the first plain version
            html = child_html or html  # the last (richest) HTML version
        if plain or html:
            into.append((plain or None, html or None))

    def _report(
        self, info: _Info, children: list[Message], depth: int, into: list[Segment]
    ) -> None:
        self.out.report = True
        blocks: list[dsn.Fields] = []
        original: str | None = None
        for index, child in enumerate(children):
            kind = _info(child).kind
            if index == 0 or kind.startswith(("multipart/", "text/plain", "text/html")):
                self.visit(child, depth + 1, into, related=False)
            elif kind in _DSN:
                if self.count():
                    blocks = dsn.status_blocks(child)
            elif kind in _RETURNED:
                original = original or dsn.returned_message_id(child)
                self._attach_part(child)
            else:
                self._attach_part(child)
        if info.params.get("report-type", "").lower() == "delivery-status" or blocks:
            self.out.bounce = dsn.bounce_from(blocks, original)

    def _message(
        self, part: Message, info: _Info, children: list[Message], depth: int, into: list[Segment]
    ) -> None:
        if info.kind not in ("message/rfc822", "message/global") or not children:
            self._attach_part(part, counted=True)
            return
        inner = children[0]
        items = list(inner.raw_items())[::-1]  # the first of repeated headers wins
        headers = {name.lower(): unfold(str(value)) for name, value in items}
        subject = " ".join(decode(headers.get("subject", "")).split())
        self._attach_part(part, name=f"{subject[:200] or 'forwarded-message'}.eml", counted=True)
        pieces: list[Segment] = []
        nested: list[str] = []
        outer_sink, self.sink = self.sink, nested
        self.inside_forward += 1
        try:
            self.visit(inner, depth + 1, pieces, related=False)
        finally:
            self.inside_forward -= 1
            self.sink = outer_sink
        lines = ["---------- Forwarded message ----------"]
        for name in ("From", "Date", "Subject", "To", "Cc"):
            value = " ".join(decode(headers.get(name.lower(), "")).split())
            if value:
                lines.append(f"{name}: {value[:1000]}")
        text = "\n\n".join([body_text(pieces, self.out.warnings), *nested]).strip("\n")
        self.sink.append("\n".join(lines) + "\n\n" + text)

    def _leaf(self, part: Message, info: _Info, into: list[Segment], *, related: bool) -> None:
        is_body = (
            info.kind in ("text/plain", "text/html")
            and info.disposition != "attachment"
            and not info.filename
        )
        if not is_body:
            if info.kind in _PKCS7_MIME:
                if "signed-data" in info.params.get("smime-type", "").lower():
                    self.warn("The message is signed in a form that could not be opened (S/MIME).")
                else:
                    self.warn("The message is encrypted (S/MIME); its content could not be read.")
            self._attach(part, info, related=related)
            return
        data = self._payload(part, info)
        charset = info.params.get("charset")
        if info.kind == "text/html" and not charset:
            meta = _META_CHARSET.search(data[:4096])
            charset = meta[1].decode("ascii") if meta else None
        text, note = decode_bytes(data, charset)
        if note:
            self.warn(f"A {info.kind} part {note}.")
        text = clean(text.replace("\r\n", "\n").replace("\r", "\n")).lstrip("\ufeff")
        if info.kind == "text/html":
            into.append((None, text))
        else:
            if info.params.get("format", "").lower() == "flowed":
                text = unflow(text, delsp=info.params.get("delsp", "").lower() == "yes")
            into.append((text, None))

    def _payload(self, part: Message, info: _Info) -> bytes:
        data, damaged = body_bytes(part, info.encoding)
        if damaged:
            label = f"'{info.filename}'" if info.filename else f"a {info.kind} part"
            self.warn(f"The base64 data of {label} is damaged; it was decoded as far as possible.")
        return data

    def _attach_part(
        self, part: Message, *, name: str | None = None, counted: bool = False
    ) -> None:
        """A part kept as an attachment whatever its type (signatures, encrypted data)."""
        if not counted and not self.count():
            return
        info = _info(part)
        if name is not None:
            info.filename = name
        self._attach(part, info, related=False)

    def _attach(self, part: Message, info: _Info, *, related: bool) -> None:
        if self.inside_forward:
            return  # the forwarded message is kept whole, as its .eml
        number = len(self.out.attachments) + 1
        name = safe_filename(info.filename) or fallback_name(info.kind, number)
        if part.is_multipart():
            try:
                payload = part.get_payload()
                inner: object = part
                if info.kind.startswith("message/") and isinstance(payload, list) and payload:
                    inner = payload[0]
                data = inner.as_bytes(policy=_EML_POLICY) if isinstance(inner, Message) else b""
            except Exception:
                self.warn(f"The attached message '{name}' could not be kept.")
                return
        else:
            data = self._payload(part, info)
        if len(data) > self.limit:
            self.warn(
                f"The attachment '{name}' ({describe_size(len(data))}) is larger than the "
                f"{describe_size(self.limit)} limit and was not kept."
            )
            return
        inline = info.content_id is not None and (related or info.disposition == "inline")
        kind = info.kind if len(info.kind) <= 255 else "application/octet-stream"
        self.out.attachments.append(
            InboundAttachment(
                filename=name,
                content_type=kind,
                data=data,
                content_id=info.content_id,
                inline=inline,
            )
        )


def body_text(segments: list[Segment], warnings: list[str]) -> str:
    """The text of the body pieces: plain where the sender gave it, else the HTML as text."""
    texts = []
    for plain, html in segments:
        if plain is not None and plain.strip():
            texts.append(plain)
        elif html:
            text, complete = html_to_text(html)
            if not complete:
                note = "The HTML of the message was too long or too broken to read to the end."
                if note not in warnings:
                    warnings.append(note)
            texts.append(text)
    return "\n\n".join(t.strip("\n") for t in texts if t.strip())


def body_html(segments: list[Segment]) -> str | None:
    """The HTML pieces joined; plain pieces between them kept as <pre> text."""
    if not any(html for _, html in segments):
        return None
    return "".join(
        html if html else f"<pre>{escape(plain or '')}</pre>" for plain, html in segments
    )
