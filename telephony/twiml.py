"""TwiML documents the webhooks answer with, built with the `twilio` library."""

from __future__ import annotations

from twilio.twiml.messaging_response import MessagingResponse

CONTENT_TYPE = "text/xml; charset=utf-8"


def nothing() -> str:
    """`<Response/>`: received, and no text goes back."""
    return str(MessagingResponse())


def reply(text: str) -> str:
    """A text back to whoever wrote (escaped by the library)."""
    response = MessagingResponse()
    response.message(text)
    return str(response)
