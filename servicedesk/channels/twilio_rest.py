"""The desk's Twilio REST client, for texts (SMS jobs) and calls (bridging an agent)."""

from __future__ import annotations

from servicedesk.settings import Settings
from telephony.client import TwilioRest


def rest_client(settings: Settings) -> TwilioRest | None:
    if not (settings.twilio_account_sid and settings.twilio_auth_token):
        return None
    return TwilioRest(
        settings.twilio_account_sid,
        str(settings.twilio_auth_token),
        api_base=settings.twilio_api_base,
    )
