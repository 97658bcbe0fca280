"""The phone menu: read from TOML (every mistake named with its place), and the
choice a caller's keys or words make, in Hebrew and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from telephony.menu import (
    FIXED_WORDS,
    LANGUAGES,
    Chosen,
    Menu,
    MenuError,
    Option,
    choose,
    load_menu,
    other_language,
)

SHIPPED = Path(__file__).parents[2] / "servicedesk" / "channels" / "voice" / "menu.toml"


@pytest.fixture(scope="module")
def shipped() -> Menu:
    return load_menu(SHIPPED.read_text(encoding="utf-8"))


def one_option(**fields: str) -> str:
    """An [[options]] table: the given TOML values over a valid option."""
    values = {"key": '"1"', "label": '"Billing"', "queue": '"Billing"', **fields}
    lines = [f"{name} = {value}" for name, value in values.items() if value]
    return "[[options]]\n" + "\n".join(lines) + "\n"


# -- the shipped menu --------------------------------------------------------------------


def test_the_shipped_menu_loads(shipped):
    assert [o.key for o in shipped.options] == ["1", "2", "3"]
    assert [o.product_category for o in shipped.options] == ["appliances", "electronics", None]
    for option in shipped.options:
        assert set(option.label) == set(LANGUAGES)
        assert set(option.queue) == set(LANGUAGES)
        assert set(option.words) == set(LANGUAGES)


def test_the_shipped_menu_has_a_queue_per_language(shipped):
    electronics = shipped.option("2")
    assert electronics is not None
    assert electronics.queue_for("he") == "Electronics – Hebrew"
    assert electronics.queue_for("en") == "Electronics – English"
    billing = shipped.option("3")
    assert billing is not None
    assert billing.queue_for("he") == billing.queue_for("en") == "חשבונות ומשלוחים · Billing"
    assert billing.label_for("he") == "לחשבונות, החזרים ומשלוחים"


@pytest.mark.parametrize(
    ("said", "language", "key"),
    [
        ("המקרר שלי לא מקרר", "he", "1"),
        ("מכונת הכביסה נתקעה", "he", "1"),
        ("יש בעיה עם הטלוויזיה", "he", "2"),
        ("המחשב הנייד לא נדלק", "he", "2"),
        ("רציתי לברר לגבי החזר כספי", "he", "3"),
        ("My DISHWASHER is leaking", "en", "1"),
        ("the air conditioner is noisy", "en", "1"),
        ("my laptop won't start", "en", "2"),
        ("I want a refund", "en", "3"),
        ("where is my delivery", "en", "3"),
        ("For bills, refunds and deliveries", "en", "3"),
    ],
)
def test_words_choose_the_shipped_options(shipped, said, language, key):
    chosen = choose(shipped, "", said, language, has_ticket=False)
    assert chosen == Chosen("option", shipped.option(key))


@pytest.mark.parametrize(
    ("said", "language", "has_ticket", "kind"),
    [
        ("מספר סידורי", "he", False, "serial"),
        ("אני רוצה לדבר עם נציג", "he", False, "agent"),
        ("שירות לקוחות בבקשה", "he", False, "agent"),
        ("להמשיך את הפנייה שלי", "he", True, "ticket"),
        ("להמשיך את הפנייה שלי", "he", False, "invalid"),
        ("אנגלית", "he", False, "language"),
        ("English please", "he", False, "language"),
        ("מה השעה", "he", False, "invalid"),
        ("I have the serial number", "en", False, "serial"),
        ("let me talk to a person", "en", False, "agent"),
        ("about my open case", "en", True, "ticket"),
        ("about my open case", "en", False, "invalid"),
        ("Hebrew", "en", False, "language"),
        ("עברית", "en", False, "language"),
        ("banana", "en", False, "invalid"),
    ],
)
def test_fixed_words_choose_in_either_language(shipped, said, language, has_ticket, kind):
    assert choose(shipped, "", said, language, has_ticket=has_ticket) == Chosen(kind)


def test_words_count_only_in_the_callers_language(shipped):
    assert choose(shipped, "", "מקרר", "en", has_ticket=False) == Chosen("invalid")
    assert choose(shipped, "", "fridge", "he", has_ticket=False) == Chosen("invalid")
    assert choose(shipped, "", "נציג", "en", has_ticket=False) == Chosen("invalid")


def test_an_options_word_wins_over_a_fixed_word(shipped):
    chosen = choose(shipped, "", "an agent for my fridge", "en", has_ticket=True)
    assert chosen == Chosen("option", shipped.option("1"))


def test_a_ticket_word_without_a_ticket_lets_a_later_word_choose(shipped):
    chosen = choose(shipped, "", "a person about my ticket", "en", has_ticket=False)
    assert chosen == Chosen("agent")


# -- keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("digits", "has_ticket", "expected"),
    [
        ("1", False, ("option", "1")),
        ("3", False, ("option", "3")),
        ("4", False, ("invalid", None)),  # a free key the menu does not use
        ("7", True, ("invalid", None)),
        ("8", False, ("serial", None)),
        ("9", True, ("ticket", None)),
        ("9", False, ("invalid", None)),  # nothing open to continue
        ("0", False, ("agent", None)),
        ("*", False, ("language", None)),
        ("#", False, ("invalid", None)),
        ("12", False, ("invalid", None)),  # one key is expected, not two
        ("00", False, ("invalid", None)),
        ("?", False, ("invalid", None)),  # what `voice.gathered` makes of garbage
    ],
)
def test_keys_choose(shipped, digits, has_ticket, expected):
    kind, key = expected
    option = shipped.option(key) if key else None
    assert choose(shipped, digits, "", "he", has_ticket=has_ticket) == Chosen(kind, option)


@pytest.mark.parametrize(
    ("digits", "kind"),
    [("0", "agent"), ("2", "option"), ("5", "invalid")],
)
def test_keys_win_over_words(shipped, digits, kind):
    chosen = choose(shipped, digits, "I want a refund", "en", has_ticket=False)
    assert chosen.kind == kind
    assert chosen.option == (shipped.option("2") if kind == "option" else None)


@pytest.mark.parametrize("said", ["", "   ", "\t"])
def test_nothing_pressed_or_said_is_nothing(shipped, said):
    assert choose(shipped, "", said, "he", has_ticket=True) == Chosen("nothing")


# -- loading -----------------------------------------------------------------------------


def test_a_single_text_serves_both_languages_and_is_trimmed():
    [option] = load_menu(one_option(label='"  Billing  "', queue='"Billing · חשבונות"')).options
    assert option == Option(
        key="1",
        label={"he": "Billing", "en": "Billing"},
        queue={"he": "Billing · חשבונות", "en": "Billing · חשבונות"},
        words={},
        product_category=None,
    )


def test_a_whole_number_key_is_read_as_text():
    [option] = load_menu(one_option(key="7")).options
    assert option.key == "7"


def test_words_are_kept_by_language():
    text = one_option(words='{ he = ["חשבון"], en = ["bill", "invoice"] }')
    [option] = load_menu(text).options
    assert option.words == {"he": ("חשבון",), "en": ("bill", "invoice")}


def test_the_label_is_a_word_too():
    menu = load_menu(one_option(label='{ en = "Billing", he = "חשבונות" }'))
    assert choose(menu, "", "billing please", "en", has_ticket=False).kind == "option"
    assert choose(menu, "", "שאלה על חשבונות", "he", has_ticket=False).kind == "option"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("options = [", "menu: not valid TOML"),
        ("", "menu: needs at least one [[options]] table"),
        ("options = []", "menu: needs at least one [[options]] table"),
        ('options = "1"', "menu: needs at least one [[options]] table"),
        ("[options]\nkey = '1'", "menu: needs at least one [[options]] table"),
        ("options = [1]", "options[0]: must be a table"),
        (one_option(lable='"x"'), "options[0]: unknown field 'lable'"),
        (one_option(key=""), "options[0].key: must be one of 1 to 7"),
        (one_option(key='""'), "options[0].key: must be one of 1 to 7"),
        (one_option(key='"12"'), "options[0].key: must be one of 1 to 7"),
        (one_option(key="1.0"), "options[0].key: must be one of 1 to 7"),
        (one_option(key='"#"'), "options[0].key: must be one of 1 to 7"),
        (one_option(product_category="5"), "options[0].product_category: must be text"),
        (one_option(label=""), "options[0].label: must be text, or a table"),
        (one_option(label='"   "'), "options[0].label: must be text, or a table"),
        (one_option(label="{}"), "options[0].label: must be text, or a table"),
        (one_option(label='["x"]'), "options[0].label: must be text, or a table"),
        (one_option(label='{ fr = "x" }'), "options[0].label: unknown language 'fr' (he or en)"),
        (one_option(label='{ he = "" }'), "options[0].label.he: must be text"),
        (one_option(label="{ en = 3 }"), "options[0].label.en: must be text"),
        (one_option(queue=""), "options[0].queue: must be text, or a table"),
        (one_option(queue='{ EN = "Billing" }'), "options[0].queue: unknown language 'EN'"),
        (one_option(words='["bill"]'), "options[0].words: must be a table of word lists"),
        (one_option(words='{ de = ["x"] }'), "options[0].words: unknown language 'de'"),
        (one_option(words='{ en = "bill" }'), "options[0].words.en: must be a list of words"),
        (one_option(words='{ en = [""] }'), "options[0].words.en: must be a list of words"),
        (one_option(words='{ en = ["bill", " "] }'), "options[0].words.en: must be a list"),
        (one_option(words="{ he = [1] }"), "options[0].words.he: must be a list of words"),
        (one_option() + one_option(key='"9"'), "options[1].key: must be one of 1 to 7"),
        (one_option() + one_option(), "options: key 1 is used twice"),
        (
            one_option(key='"2"') + one_option(key='"3"') + one_option(key="2"),
            "options: key 2 is used twice",
        ),
    ],
)
def test_a_bad_menu_names_the_place(text, message):
    with pytest.raises(MenuError) as caught:
        load_menu(text)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("key", ["8", "9", "0", "*"])
def test_the_fixed_keys_are_reserved(key):
    with pytest.raises(MenuError, match=r"8, 9, 0 and \* are fixed"):
        load_menu(one_option(key=f'"{key}"'))


def test_invalid_toml_says_where():
    with pytest.raises(MenuError, match=r"line 2"):
        load_menu('[[options]]\nkey = "1\n')


# -- the small pieces --------------------------------------------------------------------


@pytest.mark.parametrize(("language", "other"), [("he", "en"), ("en", "he"), ("fr", "he")])
def test_the_other_language(language, other):
    assert other_language(language) == other


def test_a_missing_language_falls_back_to_the_first_given():
    option = Option("1", label={"he": "לחשבונות"}, queue={"en": "Billing", "he": "חשבונות"})
    assert option.label_for("en") == "לחשבונות"
    assert option.queue_for("fr") == "Billing"
    assert option.queue_for("he") == "חשבונות"


def test_a_menu_finds_options_by_key(shipped):
    assert shipped.option("2") is shipped.options[1]
    assert shipped.option("5") is None
    assert shipped.option("") is None


def test_fixed_words_exist_in_both_languages():
    for kind, by_language in FIXED_WORDS.items():
        assert set(by_language) == set(LANGUAGES), kind
        words = [word for said in by_language.values() for word in said]
        assert all(word and word == word.strip() for word in words), kind
