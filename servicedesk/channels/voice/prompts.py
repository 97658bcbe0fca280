"""What callers hear, in Hebrew and English. Kept short: people listen on hold."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telephony.menu import Menu

_TEXTS: dict[str, dict[str, str]] = {
    "welcome": {
        "he": "שלום, הגעתם לשירות הלקוחות.",
        "en": "Hello, you have reached customer service.",
    },
    "welcome_known": {
        "he": "שלום {name}, תודה שהתקשרת לשירות הלקוחות.",
        "en": "Hello {name}, thank you for calling customer service.",
    },
    "option": {"he": "{label}, הקישו {key}.", "en": "{label}, press {key}."},
    "serial": {
        "he": "להזנת המספר הסידורי של המוצר, הקישו 8.",
        "en": "To enter your product's serial number, press 8.",
    },
    "ticket": {
        "he": "להמשך הטיפול בפנייה מספר {number}, הקישו 9.",
        "en": "To continue with your request number {number}, press 9.",
    },
    "agent": {"he": "לנציג, הקישו 0.", "en": "To speak to an agent, press 0."},
    "language": {"he": "For English, press star.", "en": "לעברית, הקישו כוכבית."},
    "say_it": {
        "he": "אפשר גם לומר במילים במה מדובר.",
        "en": "You can also just say what it is about.",
    },
    "not_heard": {"he": "לא שמעתי בחירה.", "en": "I did not get a choice."},
    "not_option": {"he": "הבחירה אינה קיימת.", "en": "That is not one of the options."},
    "ask_serial": {
        "he": "הקישו את הספרות של המספר הסידורי, ובסיום סולמית.",
        "en": "Enter the digits of the serial number, then the hash key.",
    },
    "serial_unknown": {
        "he": "לא מצאתי מוצר במספר הזה.",
        "en": "I could not find a product with that number.",
    },
    "serial_found": {"he": "מצאתי את ה{product} שלך.", "en": "I found your {product}."},
    "connecting": {
        "he": "מעבירים אותך לנציג. השיחה עשויה להיות מוקלטת.",
        "en": "Connecting you to an agent. This call may be recorded.",
    },
    "position": {
        "he": "מספרך בתור: {position}. זמן ההמתנה המשוער: כ-{minutes} דקות.",
        "en": "You are number {position} in line. The expected wait is about {minutes} minutes.",
    },
    "position_next": {
        "he": "אתם הבאים בתור.",
        "en": "You are next in line.",
    },
    "closed": {
        "he": "המוקד סגור כעת. נפתח מחדש {when}.",
        "en": "We are closed now. We open again {when}.",
    },
    "closed_unknown": {"he": "המוקד סגור כעת.", "en": "We are closed now."},
    "nobody": {
        "he": "מצטערים, כל הנציגים עסוקים.",
        "en": "Sorry, all our agents are busy.",
    },
    "leave_message": {
        "he": "השאירו הודעה אחרי הצליל, ונחזור אליכם. לסיום הקישו סולמית.",
        "en": "Please leave a message after the tone and we will call you back. "
        "Press hash when done.",
    },
    "retry_agent": {
        "he": "הנציג לא זמין, מעבירים לנציג אחר.",
        "en": "That agent is not available; connecting you to another.",
    },
    "thanks": {
        "he": "תודה, ההודעה התקבלה. להתראות.",
        "en": "Thank you, we have your message. Goodbye.",
    },
    "sorry": {
        "he": "מצטערים, אירעה תקלה במערכת.",
        "en": "Sorry, something went wrong on our side.",
    },
}

_DAYS = {
    "he": ("שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת", "ראשון"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}


def text(which: str, language: str, **values: object) -> str:
    by_language = _TEXTS[which]
    return (by_language.get(language) or by_language["en"]).format(**values)


def menu_sentences(
    menu: Menu, language: str, *, name: str | None, ticket_number: int | None, first: bool
) -> list[str]:
    """The whole menu; the greeting only the first time round."""
    sentences: list[str] = []
    if first:
        sentences.append(
            text("welcome_known", language, name=name) if name else text("welcome", language)
        )
    for option in menu.options:
        sentences.append(text("option", language, label=option.label_for(language), key=option.key))
    sentences.append(text("serial", language))
    if ticket_number is not None:
        sentences.append(text("ticket", language, number=ticket_number))
    sentences.append(text("agent", language))
    sentences.append(text("say_it", language))
    sentences.append(text("language", language))
    return sentences


def opening(language: str, opens_at: datetime | None, zone: ZoneInfo) -> str:
    """ "We open again on Sunday at 08:00", in the desk's time zone."""
    if opens_at is None:
        return text("closed_unknown", language)
    local = opens_at.astimezone(zone)
    day = _DAYS.get(language, _DAYS["en"])[local.weekday()]
    when = f"ביום {day} בשעה {local:%H:%M}" if language == "he" else f"on {day} at {local:%H:%M}"
    return text("closed", language, when=when)


def hints(menu: Menu, language: str) -> list[str]:
    """Words to help speech recognition: the options' words and labels."""
    words: list[str] = []
    for option in menu.options:
        words.extend(option.words.get(language, ()))
    return words
