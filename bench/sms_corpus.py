"""The webhooks `bench.sms_webhooks` replays: Twilio's inbound-SMS calls, signed, built
deterministically (same seed, same bytes).

Each webhook is the form Twilio posts to `/twilio/sms` (its ~20 fields in Twilio's
order: MessageSid, AccountSid, From, To, Body, NumMedia, NumSegments, SmsStatus, the
geography fields…, and MediaUrlN/MediaContentTypeN for MMS), urlencoded, with the
X-Twilio-Signature Twilio would compute for the desk's public URL. Every webhook has
its own MessageSid.

The webhooks come in `streams`, one per wrk connection: a sender belongs to one stream
and their texts appear in it in order, so when each stream is replayed in order on one
connection a text always arrives after the previous one from the same number was
answered (committed), as on a real phone. Per stream, by share of webhooks:

- ~20 % from existing customers (seeded, `+97253…`), half of whom have an open ticket
  opened by e-mail that their texts must join;
- ~30 % from new numbers in a conversation of 2–5 texts (the first opens a ticket,
  the others must join it), interleaved with everything else;
- the rest from new numbers texting once; 6 % of new numbers are foreign (US, France);
- 60 % Hebrew, 40 % English; some two- and three-segment texts, some with emoji;
- 4 % MMS (one or two photos, a few with no text); 1 % keywords from new numbers
  (STOP, stop., הסר, Unsubscribe — recorded on the number, no message —, HELP, עזרה).

`with_retries` copies a corpus with a share of webhooks sent again 1–20 places later
in the same stream, byte for byte: Twilio's retries of a webhook it thinks failed.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

from telephony.signature import public_url, sign

PATH = "/twilio/sms"
PUBLIC_BASE = "https://desk.bench.example"
AUTH_TOKEN = "b3nch7w1l10auth70ken0000000000ab"
ACCOUNT_SID = "AC" + "5e1f" * 8
OUR_NUMBER = "+97233760100"  # the desk's Twilio number
EXISTING_SHARE = 0.20
CONVERSATION_START = 0.25  # of new numbers: start a conversation rather than text once
CONTINUE_SHARE = 0.30  # of webhooks: the next text of an open conversation
MMS_SHARE = 0.04
KEYWORD_SHARE = 0.01
FOREIGN_SHARE = 0.06
HEBREW_SHARE = 0.60

STOP_WORDS = ("STOP", "stop.", "הסר", "Unsubscribe")
HELP_WORDS = ("HELP", "עזרה")

_HE_FIRST = (
    "שלום, המכונה לא מנקזת מים ויש ריח לא טוב",
    "היי, על הצג של המייבש מופיע E21",
    "המקרר מרעיש מאוד בלילה, אפשר טכנאי?",
    "שלום, הטכנאי לא הגיע היום למרות שקבענו",
    "המדיח לא מתחמם כבר שבוע",
    "רציתי לברר אם המכונה עדיין באחריות",
    "אפשר להזמין חלק חילוף לדלת של המקרר?",
    "התנור לא מגיע לטמפרטורה, הזמנה 4471",
    "שלום רב, קיבלתי חשבונית כפולה על התיקון האחרון. אשמח לבדיקה ולזיכוי של אחת מהן",
    "המכונה עוצרת באמצע התוכנית ונשארים בה מים. ניסיתי לנתק מהחשמל ולהפעיל מחדש אבל "
    "זה לא עזר. אני בבית בימים ראשון ושלישי אחרי עשר, אשמח לטכנאי",
    "דלת המייבש לא נסגרת עד הסוף 😕",
    "מתי אפשר לתאם ביקור? מספר סידורי WM-88213",
)
_HE_MORE = (
    "תודה",
    "עוד משהו: הרעש מתחיל אחרי חצי שעה",
    "יש עדכון?",
    "שלחתי תמונה של הצג",
    "אני זמינה מחר בבוקר",
    "בסדר, מחכה לטכנאי 🙏",
    "עדיין לא חזרו אליי",
    "המספר הסידורי רשום על המדבקה בדלת: WM-88213",
    "אפשר גם ביום חמישי אחרי הצהריים",
    "תודה רבה, הבעיה נפתרה!",
)
_EN_FIRST = (
    "Hi, my washing machine won't drain",
    "Dryer shows E21 on the display",
    "Fridge is really loud at night, can someone come?",
    "The technician didn't show up today",
    "Dishwasher isn't heating since last week",
    "Is my oven still under warranty? Order 4471",
    "Can I order a spare door hinge?",
    "Hello, I was charged twice for the last repair. Please check and refund one of "
    "the two charges. Thanks",
    "The machine stops mid-cycle with water inside. I unplugged it and started it "
    "again, no luck. I'm home Sunday and Tuesday after 10am if a technician can come. "
    "Serial WM-88213, bought a year and a half ago.",
    "Door of the dryer doesn't close 😕",
    "When can you schedule a visit?",
    "Oven won't reach 200 degrees",
)
_EN_MORE = (
    "Thanks",
    "Also: the noise starts after about half an hour",
    "Any update?",
    "Sent a photo of the display",
    "I'm free tomorrow morning",
    "OK, waiting for the technician 👍",
    "Nobody called me back yet",
    "Serial is on the sticker inside the door: WM-88213",
    "Thursday afternoon works too",
    "Thanks a lot, it works now!",
)
_MEDIA = (("image/jpeg", 0.75), ("image/png", 0.15), ("video/mp4", 0.10))
_HE_CITIES = ("", "Tel Aviv", "Haifa", "Jerusalem", "")


@dataclass(frozen=True)
class Webhook:
    sid: str
    body: str  # the urlencoded form
    signature: str
    sender: str  # From, E.164
    kind: str  # "text", "stop" or "help"
    media: int  # MMS: number of media
    hebrew: bool
    new_sender: bool  # a number the desk has not seen before this corpus
    first_of_sender: bool  # this number's first webhook in the corpus


@dataclass(frozen=True)
class Corpus:
    name: str
    streams: tuple[tuple[Webhook, ...], ...]
    retries: int = 0  # webhooks that repeat an earlier one of their stream

    def __len__(self) -> int:
        return sum(len(s) for s in self.streams)

    def describe(self) -> str:
        every = [w for s in self.streams for w in s]
        kinds = Counter(w.kind for w in every)
        texts = [w for w in every if w.kind == "text"]
        senders = Counter(w.sender for w in every)
        repeat = sum(1 for w in texts if not w.first_of_sender)
        text = (
            f"{len(every):,} webhooks in {len(self.streams)} streams from {len(senders):,} "
            f"numbers; {len(texts):,} texts ({sum(w.hebrew for w in texts) / len(texts):.0%} "
            f"Hebrew, {sum(w.media > 0 for w in texts):,} MMS, {repeat:,} from a number that "
            f"texted before in the corpus, {sum(not w.new_sender for w in texts):,} from "
            f"existing customers); {kinds['stop']:,} STOP and {kinds['help']:,} HELP keywords"
        )
        if self.retries:
            text += f"; {self.retries:,} of them Twilio's retries of an earlier webhook"
        return text

    def write(self, folder: Path) -> list[Path]:
        """One file per stream for the wrk script: `signature<TAB>body` a line."""
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for n, stream in enumerate(self.streams):
            path = folder / f"stream-{n:03d}.tsv"
            path.write_text("".join(f"{w.signature}\t{w.body}\n" for w in stream), "utf-8")
            paths.append(path)
        return paths


@dataclass
class _Conversation:
    sender: str
    hebrew: bool
    left: int  # texts still to send
    new: bool = True
    sent: int = 0


@dataclass
class _Stream:
    rng: random.Random
    corpus: int  # one digit, keeps numbers and sids of different corpora apart
    index: int
    existing: list[_Conversation]
    open: list[_Conversation] = field(default_factory=list)
    numbers: int = 0
    sids: int = 0

    def new_number(self) -> str:
        n = self.numbers
        self.numbers += 1
        if n >= 10_000:
            raise ValueError("more than 10,000 new numbers in one stream: use more streams")
        tail = f"{self.corpus}{self.index:02d}{n:04d}"
        if self.rng.random() < FOREIGN_SHARE:
            return f"+1646{tail}" if n % 2 else f"+336{tail}0"
        return f"+9725{'0248'[n % 4]}{tail}"

    def new_sid(self, mms: bool) -> str:
        self.sids += 1
        return f"{'MM' if mms else 'SM'}{self.corpus:04x}{self.index:04x}{self.sids:024x}"


def _segments(text: str) -> int:
    if not text:
        return 1
    unicode = any(ord(c) > 0x7F for c in text)
    single, multi = (70, 67) if unicode else (160, 153)
    return 1 if len(text) <= single else -(-len(text) // multi)


def form(
    sid: str, sender: str, body: str, media: list[tuple[str, str]], hebrew: bool
) -> dict[str, str]:
    """The fields Twilio posts for an inbound text, in its order."""
    israeli = sender.startswith("+972")
    fields = {
        "ToCountry": "IL",
        "ToState": "",
        "SmsMessageSid": sid,
        "NumMedia": str(len(media)),
        "ToCity": "",
        "FromZip": "",
        "SmsSid": sid,
        "FromState": "",
        "SmsStatus": "received",
        "FromCity": _HE_CITIES[len(sid) % len(_HE_CITIES)] if israeli and hebrew else "",
        "Body": body,
        "FromCountry": "IL" if israeli else ("US" if sender.startswith("+1") else "FR"),
        "To": OUR_NUMBER,
        "ToZip": "",
        "NumSegments": str(_segments(body)),
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    for n, (content_type, url) in enumerate(media):
        fields[f"MediaContentType{n}"] = content_type
        fields[f"MediaUrl{n}"] = url
    return fields


def _media(rng: random.Random, sid: str) -> list[tuple[str, str]]:
    count = 1 if rng.random() < 0.8 else 2
    out = []
    for _ in range(count):
        kind = rng.choices([t for t, _ in _MEDIA], [w for _, w in _MEDIA])[0]
        url = (
            f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}/Media/"
            f"ME{rng.getrandbits(128):032x}"
        )
        out.append((kind, url))
    return out


def _webhook(
    s: _Stream, sender: str, text: str, kind: str, hebrew: bool, *, new: bool, first: bool
) -> Webhook:
    mms = kind == "text" and s.rng.random() < MMS_SHARE
    sid = s.new_sid(mms)
    media = _media(s.rng, sid) if mms else []
    if mms and s.rng.random() < 0.3:
        text = ""  # a photo alone
    fields = form(sid, sender, text, media, hebrew)
    signature = sign(AUTH_TOKEN, public_url(PUBLIC_BASE, PATH), fields)
    return Webhook(sid, urlencode(fields), signature, sender, kind, len(media), hebrew, new, first)


def _next(s: _Stream) -> Webhook:
    rng = s.rng
    roll = rng.random()
    if roll < EXISTING_SHARE and s.existing:
        who = rng.choice(s.existing)
        first_text, more = (_HE_FIRST, _HE_MORE) if who.hebrew else (_EN_FIRST, _EN_MORE)
        text = rng.choice(first_text if who.sent == 0 else more)
        who.sent += 1
        return _webhook(s, who.sender, text, "text", who.hebrew, new=False, first=who.sent == 1)
    if roll < EXISTING_SHARE + CONTINUE_SHARE and s.open:
        talk = rng.choice(s.open)
        talk.left -= 1
        talk.sent += 1
        if talk.left == 0:
            s.open.remove(talk)
        text = rng.choice(_HE_MORE if talk.hebrew else _EN_MORE)
        return _webhook(s, talk.sender, text, "text", talk.hebrew, new=True, first=False)
    sender = s.new_number()
    hebrew = sender.startswith("+972") and rng.random() < HEBREW_SHARE / (1 - FOREIGN_SHARE)
    if rng.random() < KEYWORD_SHARE / (1 - EXISTING_SHARE - CONTINUE_SHARE):
        kind = "stop" if rng.random() < 0.75 else "help"
        word = rng.choice(STOP_WORDS if kind == "stop" else HELP_WORDS)
        return _webhook(s, sender, word, kind, hebrew, new=True, first=True)
    if rng.random() < CONVERSATION_START:
        s.open.append(_Conversation(sender, hebrew, left=rng.randint(1, 4), sent=1))
    text = rng.choice(_HE_FIRST if hebrew else _EN_FIRST)
    return _webhook(s, sender, text, "text", hebrew, new=True, first=True)


def existing_number(i: int) -> str:
    """The phone `bench.seed` gives existing customer `i`, as Twilio reports it."""
    return f"+97253{i:07d}"


def build(per_stream: int, streams: int, *, customers: int, corpus: int, seed: int = 5) -> Corpus:
    """`corpus` (one digit) keeps the numbers and MessageSids of corpora apart."""
    if not 0 <= corpus <= 9 or streams > 99:
        raise ValueError("one digit per corpus and at most 99 streams: they are in the numbers")
    built = []
    for index in range(streams):
        rng = random.Random(seed * 1_000_003 + corpus * 1_009 + index)
        existing = [
            _Conversation(existing_number(i), hebrew=i % 3 != 0, left=0, new=False)
            for i in range(index, customers, streams)
        ]
        state = _Stream(rng, corpus, index, existing)
        built.append(tuple(_next(state) for _ in range(per_stream)))
    return Corpus(f"corpus{corpus}", tuple(built))


def with_retries(corpus: Corpus, share: float, seed: int = 11) -> Corpus:
    """The same webhooks with `share` of them sent again, 1–20 places later."""
    streams = []
    retries = 0
    for index, stream in enumerate(corpus.streams):
        rng = random.Random(seed * 7_919 + index)
        out: list[Webhook] = []
        due: list[tuple[int, Webhook]] = []
        for hook in stream:
            out.append(hook)
            if rng.random() < share:
                due.append((len(out) + rng.randint(1, 20), hook))
            for pair in [d for d in due if d[0] <= len(out)]:
                out.append(pair[1])
                due.remove(pair)
                retries += 1
        streams.append(tuple(out))
    return replace(corpus, name=corpus.name + "-retries", streams=tuple(streams), retries=retries)


def iter_all(corpus: Corpus) -> Iterator[Webhook]:
    for stream in corpus.streams:
        yield from stream
