"""The phone menu (IVR) as data: options read from TOML, and the choice a caller's
keys or words make. Pure: the desk decides what an option's queue name means.

Keys 1–7 are the desk's options; the rest are fixed so callers learn them once:
8 enter a serial number, 9 continue an open ticket, 0 speak to someone, * switch
between Hebrew and English."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

LANGUAGES = ("he", "en")
OPTION_KEYS = frozenset("1234567")
SERIAL_KEY, TICKET_KEY, AGENT_KEY, LANGUAGE_KEY = "8", "9", "0", "*"

Kind = Literal["option", "serial", "ticket", "agent", "language", "invalid", "nothing"]

# Words that choose the fixed entries when said rather than pressed.
FIXED_WORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "serial": {"he": ("מספר סידורי", "סידורי"), "en": ("serial",)},
    "ticket": {"he": ("פנייה", "פניה", "קריאה"), "en": ("ticket", "request", "case")},
    "agent": {
        "he": ("נציג", "נציגה", "מוקד", "שירות"),
        "en": ("agent", "representative", "operator", "person", "someone"),
    },
    "language": {"he": ("english", "אנגלית"), "en": ("hebrew", "עברית")},
}


class MenuError(ValueError):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Option:
    key: str
    label: Mapping[str, str]  # language → what the menu says ("for home appliances")
    queue: Mapping[str, str]  # language → the queue's name
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    product_category: str | None = None

    def queue_for(self, language: str) -> str:
        return self.queue.get(language) or next(iter(self.queue.values()))

    def label_for(self, language: str) -> str:
        return self.label.get(language) or next(iter(self.label.values()))


@dataclass(frozen=True)
class Menu:
    options: tuple[Option, ...]

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


@dataclass(frozen=True)
class Chosen:
    kind: Kind
    option: Option | None = None


def load_menu(text: str) -> Menu:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MenuError("menu", f"not valid TOML: {exc}") from exc
    raw = document.get("options")
    if not isinstance(raw, list) or not raw:
        raise MenuError("menu", "needs at least one [[options]] table")
    options = tuple(_option(item, f"options[{n}]") for n, item in enumerate(raw))
    keys = [o.key for o in options]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate is not None:
        raise MenuError("options", f"key {duplicate} is used twice")
    return Menu(options)


def choose(menu: Menu, digits: str, speech: str, language: str, *, has_ticket: bool) -> Chosen:
    """What the caller chose: keys win over words; a ticket choice counts only when
    they have an open ticket to continue."""
    if digits:
        return _by_key(menu, digits[0] if len(digits) == 1 else "", has_ticket)
    said = speech.casefold().strip()
    if not said:
        return Chosen("nothing")
    for option in menu.options:
        if any(word.casefold() in said for word in _words(option, language)):
            return Chosen("option", option)
    for kind in ("serial", "ticket", "agent", "language"):
        words = FIXED_WORDS[kind].get(language, ())
        if any(word.casefold() in said for word in words):
            if kind == "ticket" and not has_ticket:
                continue
            return Chosen(kind)
    return Chosen("invalid")


def other_language(language: str) -> str:
    return "en" if language == "he" else "he"


def _by_key(menu: Menu, key: str, has_ticket: bool) -> Chosen:
    fixed: dict[str, Kind] = {
        SERIAL_KEY: "serial",
        AGENT_KEY: "agent",
        LANGUAGE_KEY: "language",
    }
    if has_ticket:
        fixed[TICKET_KEY] = "ticket"
    if key in fixed:
        return Chosen(fixed[key])
    option = menu.option(key)
    return Chosen("option", option) if option is not None else Chosen("invalid")


def _words(option: Option, language: str) -> tuple[str, ...]:
    return (*option.words.get(language, ()), option.label_for(language))


def _option(item: Any, where: str) -> Option:
    if not isinstance(item, dict):
        raise MenuError(where, "must be a table")
    unknown = set(item) - {"key", "label", "queue", "words", "product_category"}
    if unknown:
        raise MenuError(where, f"unknown field {sorted(unknown)[0]!r}")
    key = str(item.get("key", ""))
    if key not in OPTION_KEYS:
        raise MenuError(f"{where}.key", "must be one of 1 to 7 (8, 9, 0 and * are fixed)")
    category = item.get("product_category")
    if category is not None and not isinstance(category, str):
        raise MenuError(f"{where}.product_category", "must be text")
    return Option(
        key=key,
        label=_by_language(item.get("label"), f"{where}.label"),
        queue=_by_language(item.get("queue"), f"{where}.queue"),
        words=_words_of(item.get("words", {}), f"{where}.words"),
        product_category=category,
    )


def _by_language(value: Any, where: str) -> dict[str, str]:
    """A text for every language, or one table of texts by language."""
    if isinstance(value, str) and value.strip():
        return dict.fromkeys(LANGUAGES, value.strip())
    if not isinstance(value, dict) or not value:
        raise MenuError(where, "must be text, or a table of texts by language")
    result: dict[str, str] = {}
    for language, text in value.items():
        if language not in LANGUAGES:
            raise MenuError(where, f"unknown language {language!r} (he or en)")
        if not isinstance(text, str) or not text.strip():
            raise MenuError(f"{where}.{language}", "must be text")
        result[language] = text.strip()
    return result


def _words_of(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise MenuError(where, "must be a table of word lists by language")
    result: dict[str, tuple[str, ...]] = {}
    for language, words in value.items():
        if language not in LANGUAGES:
            raise MenuError(where, f"unknown language {language!r} (he or en)")
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise MenuError(f"{where}.{language}", "must be a list of words")
        result[language] = tuple(words)
    return result
