"""The messages `bench.mail` delivers: realistic customer mail, built deterministically.

`build(count, streams=…, seed=…)` returns the same bytes every time for the same
arguments: about 5 KB per message as a mail client sends it (CRLF line ends):

- multipart/alternative, text/plain beside text/html; a few wrapped in
  multipart/mixed with a small attachment (a photo or a PDF);
- a third in Hebrew, half of those in UTF-8 (base64, as webmail sends it) and half
  in windows-1255 (quoted-printable, as Outlook does), encoded-word subjects and names;
  the rest in English (quoted-printable);
- unique Message-IDs, 300 senders (a third of them writing Hebrew);
- about half are follow-ups: "Re: <subject>" with no `[#N]` tag, In-Reply-To and
  References naming an earlier message of the same run, its text quoted below the
  new text, so intake threads them by their headers;
- a few new messages answer a thread the desk never saw (References it does not
  know, no tag): intake looks them up, misses, and opens a ticket.

The messages come in `streams`: each sender belongs to one stream and a follow-up
only answers an earlier message of its own stream. A benchmark that delivers each
stream in order on one worker (one SMTP session) therefore always delivers the
message answered before its answer, whatever the concurrency.
"""

from __future__ import annotations

import base64
import quopri
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.header import Header
from email.utils import format_datetime, formataddr

DESK = "support@desk.example"
DESK_NAME = "Service desk"
SENDERS = 300
START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)

_HE_FIRST = ("רונית", "אבי", "מיכל", "יוסי", "נועה", "דוד", "שירה", "משה", "תמר", "איתי")
_HE_LAST = ("לוי", "כהן", "מזרחי", "פרץ", "ביטון", "אברהם", "פרידמן", "אזולאי", "דהן", "שפירא")
_EN_FIRST = ("Dana", "Avi", "Michelle", "John", "Sarah", "David", "Rachel", "Tom", "Emma", "Noam")
_EN_LAST = ("Levy", "Cohen", "Smith", "Katz", "Brown", "Friedman", "Green", "Miller", "Adler")
_DOMAINS = ("gmail.com", "walla.co.il", "outlook.com", "bezeqint.net", "yahoo.com", "mail.example")

_HE_SUBJECTS = (
    "המכונה לא מנקזת מים",
    "קוד שגיאה E21 על הצג",
    "המקרר מרעיש בלילה",
    "תיאום ביקור טכנאי",
    "המדיח לא מתחמם",
    "בקשה להארכת אחריות",
    "הזמנת חלק חילוף לדלת",
    "המייבש עוצר אחרי עשר דקות",
    "חשבונית על התיקון האחרון",
    "התנור לא מגיע לטמפרטורה",
)
_EN_SUBJECTS = (
    "Washing machine does not drain",
    "Error code E21 on the display",
    "Fridge is noisy at night",
    "Scheduling a technician visit",
    "Dishwasher does not heat",
    "Extending my warranty",
    "Ordering a spare part for the door",
    "Dryer stops after ten minutes",
    "Invoice for the last repair",
    "Oven does not reach temperature",
)
_HE_SENTENCES = (
    "המכונה עוצרת באמצע התוכנית ונשארים בה מים.",
    "ניסיתי לנתק אותה מהחשמל ולהפעיל מחדש אבל זה לא עזר.",
    "על הצג מופיע קוד שגיאה ואחרי כמה שניות הוא נעלם.",
    "קניתי את המכשיר לפני שנה וחצי והוא עדיין באחריות.",
    "אשמח אם טכנאי יוכל להגיע השבוע, רצוי בשעות הבוקר.",
    "אני בבית בימים ראשון ושלישי אחרי השעה עשר.",
    "מצרפת תמונה של הצג כדי שתראו בדיוק מה כתוב.",
    "הרעש מתחיל בערך חצי שעה אחרי ההפעלה ונמשך עד הסוף.",
    "בדקתי את המסנן וניקיתי אותו לפי ההוראות בחוברת.",
    "הטכנאי שהיה פה בפעם הקודמת אמר שייתכן שצריך להחליף את המשאבה.",
    "מספר הסידורי של המכשיר רשום על המדבקה בצד הפנימי של הדלת.",
    "האם אפשר לקבל הצעת מחיר לפני שמגיעים?",
    "זו כבר הפעם השלישית שאני פונה בנושא הזה.",
    "הכתובת שלי היא רחוב הרצל שמונה, דירה ארבע, קומה שנייה.",
    "תודה על המענה המהיר בפעם הקודמת.",
    "אם צריך פרטים נוספים אני זמינה בטלפון בכל שעה.",
)
_EN_SENTENCES = (
    "The machine stops in the middle of the programme and water stays inside.",
    "I tried unplugging it and starting again, but that did not help.",
    "An error code shows on the display and disappears after a few seconds.",
    "I bought the appliance a year and a half ago and it is still under warranty.",
    "Could a technician come this week, preferably in the morning?",
    "I am at home on Sundays and Tuesdays after ten o'clock.",
    "I attach a photo of the display so you can see exactly what it says.",
    "The noise starts about half an hour after switching on and lasts until the end.",
    "I checked the filter and cleaned it as the manual describes.",
    "The technician who came last time said the pump might need replacing.",
    "The serial number is on the sticker inside the door.",
    "Can I get a quote before someone comes out?",
    "This is the third time I am writing about this.",
    "My address is 8 Herzl Street, flat 4, second floor.",
    "Thank you for the quick answer last time.",
    "If you need more details I can be reached by phone at any time.",
)


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    hebrew: bool
    charset: str  # utf-8 or windows-1255 for Hebrew writers (their mail client's)
    stream: int


@dataclass(frozen=True)
class Mail:
    raw: bytes
    message_id: str  # without <>
    sender: Sender
    stream: int
    answers: str | None  # the Message-ID of the earlier message of this run it answers
    attachment: bool
    subject: str
    text: str  # its new text (quoted below by a follow-up)
    references: tuple[str, ...]

    @property
    def opens_ticket(self) -> bool:
        return self.answers is None


@dataclass(frozen=True)
class Corpus:
    streams: tuple[tuple[Mail, ...], ...]

    @property
    def mails(self) -> list[Mail]:
        return [m for stream in self.streams for m in stream]

    def __len__(self) -> int:
        return sum(len(s) for s in self.streams)

    def describe(self) -> str:
        mails = self.mails
        n = len(mails) or 1
        size = sum(len(m.raw) for m in mails) / n
        hebrew = sum(m.sender.hebrew for m in mails)
        cp1255 = sum(m.sender.charset == "windows-1255" for m in mails)
        follow = sum(m.answers is not None for m in mails)
        attached = sum(m.attachment for m in mails)
        unknown = sum(m.answers is None and bool(m.references) for m in mails)
        senders = len({m.sender.address for m in mails})
        return (
            f"{len(mails):,} messages, {size / 1024:.1f} KB average, {senders} senders; "
            f"{hebrew / n:.0%} Hebrew ({cp1255} of them windows-1255); "
            f"{follow / n:.0%} follow-ups threaded by In-Reply-To/References (no [#N] tag); "
            f"{unknown} answering threads the desk never saw; {attached} with an attachment"
        )


def senders(rng: random.Random, streams: int, label: str) -> list[Sender]:
    out: list[Sender] = []
    for i in range(SENDERS):
        hebrew = i % 3 == 0
        first = rng.choice(_HE_FIRST if hebrew else _EN_FIRST)
        last = rng.choice(_HE_LAST if hebrew else _EN_LAST)
        local = f"{label}{i:03d}.{rng.randrange(10_000):04d}"
        out.append(
            Sender(
                name=f"{first} {last}",
                address=f"{local}@{rng.choice(_DOMAINS)}",
                hebrew=hebrew,
                charset=rng.choice(("utf-8", "windows-1255")) if hebrew else "utf-8",
                stream=i % streams,
            )
        )
    return out


def _header(value: str, charset: str) -> str:
    if value.isascii():
        return value
    return Header(value, charset).encode(maxlinelen=76)


def _address(sender: Sender) -> str:
    if sender.name.isascii():
        return formataddr((sender.name, sender.address))
    return f"{_header(sender.name, sender.charset)} <{sender.address}>"


def _paragraphs(rng: random.Random, hebrew: bool, count: int) -> list[str]:
    pool = _HE_SENTENCES if hebrew else _EN_SENTENCES
    return [" ".join(rng.sample(pool, rng.randint(3, 5))) for _ in range(count)]


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _html(paragraphs: list[str], signature: str, quoted: list[str], sender: Sender) -> str:
    hebrew = sender.hebrew
    direction = ' dir="rtl"' if hebrew else ""
    body = "\n".join(
        f'<p style="margin:0 0 12px 0;font-family:Arial,sans-serif;font-size:11pt">'
        f"{_html_escape(p)}</p>"
        for p in paragraphs
    )
    sig = "<br>\n".join(_html_escape(line) for line in signature.splitlines())
    quote = ""
    if quoted:
        inner = "<br>\n".join(_html_escape(line) for line in quoted)
        quote = (
            '\n<div class="gmail_quote"><blockquote style="margin:0 0 0 .8ex;'
            f'border-left:1px #ccc solid;padding-left:1ex">\n{inner}\n</blockquote></div>'
        )
    return (
        '<html>\n<head><meta http-equiv="Content-Type" '
        f'content="text/html; charset={sender.charset}"></head>\n'
        f'<body{direction}>\n<div style="direction:{"rtl" if hebrew else "ltr"}">\n'
        f'{body}\n<div class="signature" style="color:#555">{sig}</div>\n</div>{quote}\n'
        "</body>\n</html>\n"
    )


def _part(content_type: str, text: str, sender: Sender) -> str:
    data = text.encode(sender.charset)
    if sender.hebrew and sender.charset == "utf-8":
        encoding, payload = "base64", base64.encodebytes(data).decode("ascii")
    else:
        encoding, payload = "quoted-printable", quopri.encodestring(data).decode("ascii")
    return (
        f'Content-Type: {content_type}; charset="{sender.charset}"\n'
        f"Content-Transfer-Encoding: {encoding}\n\n{payload.rstrip(chr(10))}\n"
    )


def _attachment(rng: random.Random, hebrew: bool) -> str:
    if rng.random() < 0.5:
        kind, name, data = "image/jpeg", "display.jpg", b"\xff\xd8\xff\xe0" + rng.randbytes(1500)
    else:
        kind, name, data = "application/pdf", "invoice.pdf", b"%PDF-1.4\n" + rng.randbytes(1500)
    if hebrew and rng.random() < 0.5:
        name = "צילום.jpg" if kind == "image/jpeg" else "חשבונית.pdf"
    filename = (
        f'filename="{name}"'
        if name.isascii()
        else "filename*=utf-8''" + "".join(f"%{b:02X}" for b in name.encode())
    )
    payload = base64.encodebytes(data).decode("ascii").rstrip("\n")
    return (
        f"Content-Type: {kind}\nContent-Transfer-Encoding: base64\n"
        f"Content-Disposition: attachment; {filename}\n\n{payload}\n"
    )


def _boundary(rng: random.Random) -> str:
    return f"----=_Part_{rng.randrange(10**9):09d}_{rng.randrange(10**12):012d}"


def _quote(answered: Mail, when: datetime) -> list[str]:
    sender = answered.sender
    said = (
        f"ב-{when:%d/%m/%Y %H:%M}, {sender.name} <{sender.address}> כתב/ה:"
        if sender.hebrew
        else f"On {format_datetime(when)}, {sender.name} <{sender.address}> wrote:"
    )
    return [said, *(f"> {line}" if line else ">" for line in answered.text.splitlines())]


def _message(
    rng: random.Random,
    index: int,
    label: str,
    sender: Sender,
    answered: Mail | None,
    foreign_thread: bool,
) -> Mail:
    hebrew = sender.hebrew
    domain = sender.address.rpartition("@")[2]
    message_id = f"{label}.{index:06d}.{rng.randrange(16**10):010x}@{domain}"
    when = START + timedelta(minutes=3 * index, seconds=rng.randrange(180))
    references: tuple[str, ...] = ()
    quoted: list[str] = []
    if answered is not None:
        subject = answered.subject
        subject = subject if subject.startswith(("Re: ", "RE: ")) else f"Re: {subject}"
        references = (*answered.references[-8:], answered.message_id)
        quoted = _quote(answered, when - timedelta(hours=2))
    else:
        subject = rng.choice(_HE_SUBJECTS if hebrew else _EN_SUBJECTS)
        if foreign_thread:  # a thread begun elsewhere, forwarded or answered to us
            subject = f"{'RE' if rng.random() < 0.5 else 'Fwd'}: {subject}"
            references = (f"{rng.randrange(16**12):012x}@{domain}",)
    greeting = "שלום רב," if hebrew else "Hello,"
    paragraphs = _paragraphs(rng, hebrew, rng.randint(2, 3) if answered else rng.randint(3, 4))
    signature = (
        f"{'בברכה' if hebrew else 'Best regards'},\n{sender.name}\n05{rng.randrange(10**8):08d}"
    )
    new_text = "\n\n".join([greeting, *paragraphs, signature])
    plain = new_text + ("\n\n" + "\n".join(quoted) if quoted else "") + "\n"
    html = _html([greeting, *paragraphs], signature, quoted, sender)
    attachment = answered is None and rng.random() < 0.08
    alternative = _boundary(rng)
    body = (
        f'Content-Type: multipart/alternative; boundary="{alternative}"\n\n'
        f"--{alternative}\n{_part('text/plain', plain, sender)}"
        f"--{alternative}\n{_part('text/html', html, sender)}"
        f"--{alternative}--\n"
    )
    if attachment:
        mixed = _boundary(rng)
        body = (
            f'Content-Type: multipart/mixed; boundary="{mixed}"\n\n'
            "This is a multi-part message in MIME format.\n"
            f"--{mixed}\n{body}--{mixed}\n{_attachment(rng, hebrew)}--{mixed}--\n"
        )
    headers = [
        "Received: from mail.client.example (mail.client.example [192.0.2.10])\n"
        f"\tby mx.desk.example with ESMTPS id {rng.randrange(16**10):010X};\n"
        f"\t{format_datetime(when)}",
        f"From: {_address(sender)}",
        f"To: {formataddr((DESK_NAME, DESK))}",
        f"Subject: {_header(subject, sender.charset)}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{message_id}>",
    ]
    if references:
        headers.append(f"In-Reply-To: <{references[-1]}>")
        headers.append("References: " + "\n ".join(f"<{r}>" for r in references))
    headers += [
        "MIME-Version: 1.0",
        "X-Mailer: Microsoft Outlook 16.0"
        if sender.charset == "windows-1255"
        else "User-Agent: Mozilla Thunderbird",
        f"Content-Language: {'he' if hebrew else 'en-US'}",
    ]
    raw = ("\n".join(headers) + "\n" + body).replace("\n", "\r\n").encode("ascii")
    return Mail(
        raw=raw,
        message_id=message_id,
        sender=sender,
        stream=sender.stream,
        answers=answered.message_id if answered is not None else None,
        attachment=attachment,
        subject=subject,
        text=new_text,
        references=references,
    )


def build(count: int, *, streams: int, seed: int = 20261130, label: str = "m") -> Corpus:
    """`count` messages in `streams` streams; `label` keeps the Message-IDs and sender
    addresses of two corpora (the warm-up and the measured one) apart."""
    rng = random.Random(seed)
    people = senders(rng, streams, label)
    by_stream = [[p for p in people if p.stream == s] for s in range(streams)]
    # Every sender opens a thread before anyone opens a second one, in sender order:
    # one in three of any three consecutive senders of a stream writes Hebrew.
    unused = [list(reversed(people_of)) for people_of in by_stream]
    out: list[list[Mail]] = [[] for _ in range(streams)]
    for index in range(count):
        stream = index % streams
        earlier = out[stream]
        answered: Mail | None = None
        if earlier and rng.random() < 0.5:
            answered = rng.choice(earlier[-60:])  # recent threads are the ones answered
        if answered is not None:
            sender = answered.sender
        else:
            sender = unused[stream].pop() if unused[stream] else rng.choice(by_stream[stream])
        foreign = answered is None and rng.random() < 0.05
        earlier.append(_message(rng, index, label, sender, answered, foreign))
    return Corpus(tuple(tuple(s) for s in out))


if __name__ == "__main__":
    corpus = build(2000, streams=4)
    print(corpus.describe())
    print(corpus.streams[0][5].raw.decode("ascii")[:3000])
