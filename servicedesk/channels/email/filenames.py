"""Attachment names that are safe to store, show and serve."""

from __future__ import annotations

import mimetypes
import re

MAX_NAME_BYTES = 255

_EXTENSIONS = {
    "application/octet-stream": ".bin",
    "application/pdf": ".pdf",
    "application/pgp-encrypted": ".pgp",
    "application/pgp-signature": ".asc",
    "application/pkcs7-mime": ".p7m",
    "application/pkcs7-signature": ".p7s",
    "application/x-pkcs7-mime": ".p7m",
    "application/x-pkcs7-signature": ".p7s",
    "image/gif": ".gif",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "message/rfc822": ".eml",
    "message/global": ".eml",
    "message/delivery-status": ".txt",
    "message/disposition-notification": ".txt",
    "text/calendar": ".ics",
    "text/html": ".html",
    "text/plain": ".txt",
    "text/rfc822-headers": ".txt",
}
# Controls, lone surrogates, and the bidi overrides that make "invoice‮fdp.exe" look like a PDF.
_UNSAFE = re.compile("[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_RESERVED = re.compile(r'[<>:"|?*]')


def safe_filename(name: str) -> str:
    """The last path component, without controls, bidi overrides or characters
    Windows refuses; at most 255 UTF-8 bytes, extension kept. "" when nothing
    usable is left."""
    name = _UNSAFE.sub("", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _RESERVED.sub("_", " ".join(name.split())).strip(" .")
    if not name:
        return ""
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        stem, dot, extension = name.rpartition(".")
        if not dot or len(extension) > 16:
            stem, extension = name, ""
        suffix = f".{extension}" if extension else ""
        room = MAX_NAME_BYTES - len(suffix.encode("utf-8"))
        stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
        name = stem + suffix
    return name


def fallback_name(content_type: str, number: int) -> str:
    """attachment-3.pdf, from the content type."""
    extension = _EXTENSIONS.get(content_type)
    if extension is None:
        try:
            extension = mimetypes.guess_extension(content_type, strict=False)
        except Exception:
            extension = None
    return f"attachment-{number}{extension or '.bin'}"


def describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"
