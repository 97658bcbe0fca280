"""The pieces parse_email is built from, table by table: charsets, encoded words,
MIME parameters, quoted-history removal, HTML to text, flowed text, file names."""

from __future__ import annotations

import pytest

from servicedesk.channels.email.charsets import decode_bytes, decode_words
from servicedesk.channels.email.filenames import fallback_name, safe_filename
from servicedesk.channels.email.headers import addresses, message_ids, parse_params
from servicedesk.channels.email.quotes import strip_quotes
from servicedesk.channels.email.text import html_to_text, unflow

HEBREW = "שלום עולם"


@pytest.mark.parametrize(
    ("data", "declared", "text", "guessed"),
    [
        (HEBREW.encode("utf-8"), "utf-8", HEBREW, False),
        (HEBREW.encode("utf-8"), "iso-8859-1", HEBREW, False),  # valid UTF-8 wins
        (HEBREW.encode("utf-8"), "us-ascii", HEBREW, False),
        (HEBREW.encode("cp1255"), "utf-8", HEBREW, True),  # labelled utf-8, is windows-1255
        (HEBREW.encode("cp1255"), "windows-1255", HEBREW, False),
        (HEBREW.encode("iso-8859-8"), "iso-8859-8-i", HEBREW, False),
        (HEBREW.encode("iso-8859-8"), "ISO-8859-8-E", HEBREW, False),
        (HEBREW.encode("iso-8859-8"), "visual", HEBREW, False),
        (HEBREW.encode("cp1255"), "x-user-defined", HEBREW, False),
        (HEBREW.encode("cp1255"), "x-no-such-charset", HEBREW, True),
        (HEBREW.encode("cp1255"), None, HEBREW, True),
        (HEBREW.encode("cp1255"), "base64", HEBREW, True),  # a codec, not a charset
        ("café".encode("latin-1"), "iso-8859-1", "café", False),
        ("naïve “quotes”".encode("cp1252"), "iso-8859-1", "naïve “quotes”", False),
        ("hi".encode("utf-16"), "utf-16", "hi", False),
        (b"plain ascii", "x-no-such-charset", "plain ascii", False),
        ("שלום".encode()[:-1], None, "שלו\ufffd", False),  # cut off mid-character
        (b"\xff\xfe\xfa\x81", "utf-8", "ÿþú\ufffd", True),  # nothing fits
    ],
)
def test_decode_bytes(data: bytes, declared: str | None, text: str, guessed: bool) -> None:
    result, note = decode_bytes(data, declared)
    assert result == text
    assert (note is not None) is guessed


@pytest.mark.parametrize(
    ("value", "decoded"),
    [
        ("=?UTF-8?B?16nXnNeV150=?=", "שלום"),
        ("=?utf-8?q?caf=C3=A9_cr=C3=A8me?=", "café crème"),
        ("=?UTF-8?B?16nX?= =?UTF-8?B?nNeV150=?=", "שלום"),  # a character split across words
        ("=?UTF-8?B?16nXnNeV150?=", "שלום"),  # missing padding
        ("=?utf-8?Q?a?==?utf-8?Q?b?=", "ab"),  # glued words
        ("=?utf-8?Q?with spaces?=", "with spaces"),  # raw spaces inside a Q word
        ("=?windows-1255?B?+ezl7Q==?=", "שלום"),
        ("=?iso-8859-8-i?Q?=F9=EC=E5=ED?=", "שלום"),
        ("=?utf-8*he?B?16nXnNeV150=?=", "שלום"),  # RFC 2231 language suffix
        ("=?x-nonsense?Q?=F9=EC=E5=ED?=", "שלום"),  # unknown charset
        ("Re: =?utf-8?B?16nXnNeV150=?= now", "Re: שלום now"),
        ("=?utf-8?B?!!!!?=", ""),
        ("no words at all", "no words at all"),
        ("\udcd7\udca9\udcd7\udc9c\udcd7\udc95\udcd7\udc9d", "שלום"),  # raw 8-bit UTF-8
        ("\udcf9\udcec\udce5\udced", "שלום"),  # raw 8-bit windows-1255
    ],
)
def test_decode_words(value: str, decoded: str) -> None:
    assert decode_words(value) == decoded


@pytest.mark.parametrize(
    ("value", "kind", "params"),
    [
        (
            'text/plain; charset="utf-8"; format=flowed',
            "text/plain",
            {"charset": "utf-8", "format": "flowed"},
        ),
        ('Attachment; filename="a;b.pdf"', "attachment", {"filename": "a;b.pdf"}),
        (r'attachment; filename="say \"hi\".txt"', "attachment", {"filename": 'say "hi".txt'}),
        (
            "attachment; filename*=UTF-8''%D7%A9%D7%9C%D7%95%D7%9D.txt",
            "attachment",
            {"filename": "שלום.txt"},
        ),
        (
            "attachment; filename*0*=utf-8'he'%D7%A9%D7%9C; filename*1=\"ום.txt\"",
            "attachment",
            {"filename": "שלום.txt"},
        ),
        (
            'attachment; filename="=?UTF-8?B?16nXnNeV150udHh0?="',
            "attachment",
            {"filename": "שלום.txt"},
        ),
        ('inline; filename="\udcf9\udcec\udce5\udced.txt"', "inline", {"filename": "שלום.txt"}),
        ('text/plain; charset="unterminated', "text/plain", {"charset": "unterminated"}),
        ("text/plain;;; ;", "text/plain", {}),
    ],
)
def test_parse_params(value: str, kind: str, params: dict[str, str]) -> None:
    assert parse_params(value) == (kind, params)


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ("<a@x> <b@x>\n <a@x>", ["a@x", "b@x"]),
        ("<a@x>,<b@x>", ["a@x", "b@x"]),
        ("a@x b@x", ["a@x", "b@x"]),  # no brackets at all
        ("garbage only", []),
        ("<>", []),
        ("< spaced @x >", ["spaced@x"]),
    ],
)
def test_message_ids(value: str, ids: list[str]) -> None:
    assert message_ids(value) == ids


@pytest.mark.parametrize(
    ("value", "pairs"),
    [
        (
            'Dana <d@x.com>, "Cohen, Dana" <e@x.com>',
            [("Dana", "d@x.com"), ("Cohen, Dana", "e@x.com")],
        ),
        ("=?utf-8?Q?Cohen=2C_Dana?= <d@x.com>", [("Cohen, Dana", "d@x.com")]),
        ("d@x.com (Dana)", [("Dana", "d@x.com")]),
        ("undisclosed-recipients:;", []),
        ("", []),
    ],
)
def test_addresses(value: str, pairs: list[tuple[str, str]]) -> None:
    assert addresses(value) == pairs


REPLY = "Thanks, that fixed it."
GMAIL_FORWARD = (
    "FYI\n\n---------- Forwarded message ---------\nFrom: A <a@x.com>\n"
    "Date: Mon, 3 Nov 2026\nSubject: oven\nTo: b@x.com\n\nIt broke."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{REPLY}\n\nOn Mon, 3 Nov 2026 at 10:00, Dana <d@x.com> wrote:\n> old", REPLY),
        (f"{REPLY}\n\nOn Mon, 3 Nov 2026 at 10:00, Dana Cohen <d@x.com>\nwrote:\n> old", REPLY),
        (f"{REPLY}\n\nOn 3 Nov 2026, at 10:00, Dana <d@x.com> wrote:\n\n> old", REPLY),
        (f"{REPLY}\n\nOn 11/3/26 10:00 AM, Dana wrote:\n> old", REPLY),
        (f"{REPLY}\n\n-----Original Message-----\nFrom: Dana\nSent: Monday\nold", REPLY),
        (
            f"{REPLY}\n\n________________________________\nFrom: Dana <d@x.com>\n"
            "Sent: Monday, 3 November 2026 10:00\nTo: Support\nSubject: RE: oven\n\nold",
            REPLY,
        ),
        (f"{REPLY}\nFrom: Dana <d@x.com> Sent: Monday To: Support Subject: RE: oven\nold", REPLY),
        (f"{REPLY}\n\n*From:* Dana\n*Sent:* Monday\n*To:* Support\n*Subject:* oven\n\nold", REPLY),
        ("תודה\n\n-----הודעה מקורית-----\nמאת: דנה\nנשלח: יום שני\nישן", "תודה"),
        ("תודה\n\nמאת: דנה <d@x.com>\nנשלח: יום שני\nאל: תמיכה\nנושא: תנור\n\nישן", "תודה"),
        (
            "תודה\n\n\u202bבתאריך יום ב׳, 3 בנוב׳ 2026 ב-10:00 מאת Dana <d@x.com>:\u202c\n> ישן",
            "תודה",
        ),
        ("תודה\n\n\u202bב-3 בנוב׳ 2026, בשעה 10:00, Dana <d@x.com> כתב/ה:\u202c\n> ישן", "תודה"),
        (f"{REPLY}\n\nDana wrote:\n> old\n>\n> older\n", REPLY),
        (f"{REPLY}\n-- \nDana Cohen\nCEO", REPLY),
        (f"{REPLY}\n--\nDana", REPLY),
        ("> all of it is a quote", "> all of it is a quote"),  # nothing would be left
        ("On Mon, 3 Nov 2026, Dana wrote:\n> old", "On Mon, 3 Nov 2026, Dana wrote:\n> old"),
        ("-- \nonly a signature", "-- \nonly a signature"),
        (
            "> question\nanswer\n> question 2\nanswer 2",
            "> question\nanswer\n> question 2\nanswer 2",
        ),
        (
            "On Monday the technician wrote:\nthe oven is fine",
            "On Monday the technician wrote:\nthe oven is fine",
        ),
        (
            "בנוסף, הטכנאי כתב:\nהכל תקין",
            "בנוסף, הטכנאי כתב:\nהכל תקין",
        ),  # no date: not an attribution
        (GMAIL_FORWARD, GMAIL_FORWARD),
        (
            "FYI\n-- \nMe\n\nBegin forwarded message:\n\nFrom: A <a@x.com>\n\nIt broke.",
            "FYI\n\nBegin forwarded message:\n\nFrom: A <a@x.com>\n\nIt broke.",
        ),
    ],
)
def test_strip_quotes(text: str, expected: str) -> None:
    assert strip_quotes(text) == expected


def test_outlook_block_is_kept_in_a_forward() -> None:
    text = "FYI\n\nFrom: A <a@x.com>\nSent: Monday\nTo: b@x.com\nSubject: oven\n\nIt broke."
    assert strip_quotes(text, forwarded=True) == text
    assert strip_quotes(text) == "FYI"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>one</p><p>two</p>", "one\n\ntwo"),
        ("<div>one</div><div>two</div><div><br></div><div>three</div>", "one\ntwo\n\nthree"),
        ("line<br>break<br/>again", "line\nbreak\nagain"),
        ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
        ("<style>p{}</style><script>x()</script><p>shown</p>", "shown"),
        ("a &amp; b&nbsp;c &#x5e9;", "a & b c ש"),  # no-break space read as a space
        (
            "<p>mine</p><blockquote><p>theirs</p><blockquote>older</blockquote></blockquote>",
            "mine\n\n> theirs\n>\n> > older",
        ),
        ("<pre>a  b\n  c</pre>", "a  b\n  c"),
        ("<table><tr><td>a</td><td>b</td></tr></table>", "a b"),
        ("<![if !supportLists]>x<![endif]>", "x"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == (text, True)


@pytest.mark.parametrize(
    ("text", "delsp", "expected"),
    [
        ("one \ntwo\n", False, "one two\n"),
        ("one \ntwo", True, "onetwo"),
        ("> quoted \n> more\nreply", False, "> quoted more\nreply"),
        (" >stuffed\n", False, ">stuffed\n"),
        ("-- \nsig", False, "-- \nsig"),
    ],
)
def test_unflow(text: str, delsp: bool, expected: str) -> None:
    assert unflow(text, delsp=delsp) == expected


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\dana\\scan.jpg", "scan.jpg"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("a\x00b\x1f.txt", "ab.txt"),
        ('what?<is>"this".txt', "what__is__this_.txt"),
        ("  spaced   name .txt  ", "spaced name .txt"),
        ("..", ""),
        ("", ""),
        ("א" * 300 + ".pdf", "א" * 125 + ".pdf"),  # 255 UTF-8 bytes, extension kept
    ],
)
def test_safe_filename(name: str, safe: str) -> None:
    assert safe_filename(name) == safe
    assert len(safe.encode()) <= 255


@pytest.mark.parametrize(
    ("content_type", "name"),
    [
        ("image/png", "attachment-3.png"),
        ("message/rfc822", "attachment-3.eml"),
        ("application/x-no-such-type", "attachment-3.bin"),
    ],
)
def test_fallback_name(content_type: str, name: str) -> None:
    assert fallback_name(content_type, 3) == name
