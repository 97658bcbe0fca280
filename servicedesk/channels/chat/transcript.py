"""The chat as the customer receives it by e-mail when it ends or goes on by e-mail:
why, in their language, and every line with its time and who wrote it. Plain text
(the e-mail's HTML part is made from it, escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from servicedesk.channels.chat.models import ChatEnd
from servicedesk.channels.chat.repository import Line

_BY_EMAIL = {
    "en": (
        "Hello {name},\n\n{why} We have your message (ticket {number}), and an agent will "
        "answer you by e-mail at this address. To add details, reply to this e-mail."
    ),
    "he": (
        "שלום {name},\n\n{why} קיבלנו את פנייתך (מספר {number}), ונציג יענה לך בדוא״ל "
        "לכתובת זו. כדי להוסיף פרטים, השב/י למכתב זה."
    ),
}
_WHY = {
    ChatEnd.no_agent: {
        "en": "No agent was free to chat just now.",
        "he": "לא היה נציג פנוי לשיחה כרגע.",
    },
    ChatEnd.out_of_hours: {
        "en": "We are closed right now{opens}.",
        "he": "המוקד סגור כעת{opens}.",
    },
}
_OPENS = {"en": "; we open again on {when}", "he": "; נחזור לפעילות ב־{when}"}
_ENDED = {
    "en": (
        "Hello {name},\n\nThank you for chatting with us. Here is our conversation "
        "(ticket {number}). To add anything, reply to this e-mail."
    ),
    "he": (
        "שלום {name},\n\nתודה שפנית אלינו בצ׳אט. לפניך תמליל השיחה (פנייה מספר {number}). "
        "כדי להוסיף דבר מה, השב/י למכתב זה."
    ),
}
_IDLE = {
    "en": "The chat ended because we heard nothing from you for a while.",
    "he": "השיחה הסתיימה כי לא שמענו ממך זמן מה.",
}
_HEADING = {"en": "The chat", "he": "השיחה"}
_AGENT = {"en": "Agent", "he": "נציג"}


def transcript_text(
    *,
    language: str,
    reason: ChatEnd,
    customer_name: str,
    ticket_number: int,
    lines: Sequence[Line],
    time_zone: str,
    opens_at: datetime | None = None,
) -> str:
    lang = language if language in _ENDED else "en"
    zone = ZoneInfo(time_zone)
    if reason in _WHY:
        opens = ""
        if opens_at is not None:
            when = opens_at.astimezone(zone).strftime("%d/%m/%Y %H:%M")
            opens = _OPENS[lang].format(when=when)
        why = _WHY[reason][lang].format(opens=opens)
        intro = _BY_EMAIL[lang].format(name=customer_name, why=why, number=ticket_number)
    else:
        intro = _ENDED[lang].format(name=customer_name, number=ticket_number)
        if reason == ChatEnd.idle:
            intro += "\n" + _IDLE[lang]
    body = [intro, "", f"— {_HEADING[lang]} —"]
    for line in lines:
        who = customer_name if line.author == "customer" else (line.name or _AGENT[lang])
        stamp = line.at.astimezone(zone).strftime("%H:%M")
        first, *rest = line.text.split("\n")
        body.append(f"[{stamp}] {who}: {first}")
        body.extend(f"    {more}" for more in rest)
    return "\n".join(body)
