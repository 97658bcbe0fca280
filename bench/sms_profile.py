"""Where a signed inbound SMS webhook's time goes in the project.

    python -m bench.sms_profile [SECONDS] [--sla]

On a fresh database seeded like `bench.sms_webhooks`:

1. Round trips per kind of webhook: the app in this process (httpx ASGI transport,
   one webhook at a time, RUN_WORKER=false so only the webhook's own statements are
   seen), every asyncpg call that costs a round trip counted (bench/sqlcount.py), and
   the statements of the last webhook of each kind listed.
2. CPU by step under the benchmark's load: the app served by uvicorn under
   bench/sampler.py (CPU-time sampling; RUN_WORKER=true as in the benchmark), wrk
   replaying the benchmark's webhooks for SECONDS (20) after a warm-up.

`--sla` makes the demo desk's SLA policies the active version first (the benchmark's
`sla` row). Writes bench/results/sms-profile.txt and sms-profile.collapsed (flamegraph.pl or
https://www.speedscope.app read it).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from bench import cpu, sampler
from bench.database import fresh_database
from bench.profile import library_of, sqlalchemy_entry
from bench.servers import ServerSettings, serve
from bench.sms_corpus import AUTH_TOKEN, PATH, PUBLIC_BASE, build, existing_number, form
from bench.sms_load import replay
from bench.sms_report import RESULTS
from bench.sms_seed import activate_demo_policies, prepare
from bench.sms_webhooks import server_env
from bench.sqlcount import RECORDER, counting, short
from telephony.signature import HEADER, public_url, sign

REPEATS = 12  # of each kind; the last one's statements are listed
# The steps of a webhook, by the frame that marks them; the innermost wins.
STEPS: list[tuple[str, tuple[str, ...]]] = [
    ("Twilio signature (RequestValidator: HMAC-SHA1, with and without :443)", ("is_valid (",)),
    ("read the form (Starlette request.form, python-multipart)", ("_get_form (",)),
    ("parse the form, normalise the number (telephony.parse, to_inbound)", ("inbound_sms (",)),
    ("parse the form, normalise the number (telephony.parse, to_inbound)", ("to_inbound (",)),
    ("opt-out keyword (customer, UPDATE identity, audit)", ("apply_keyword (",)),
    ("duplicate check (the first statement: opens the transaction)", ("_duplicate (",)),
    ("resolve the customer (lookup or create)", ("_customer (servicedesk/intake",)),
    ("thread: the number's open ticket", ("by_conversation (",)),
    ("build the new message (meta, warnings)", ("_new_message (",)),
    ("tickets.add_message (ORM: message INSERT, ticket UPDATE, flush)", ("add_message (",)),
    ("tickets.create_ticket (one statement: ticket + message + audit)", ("create_ticket (",)),
    ("attachments, collaborators, acknowledgement checks", ("attach (servicedesk",)),
    ("attachments, collaborators, acknowledgement checks", ("_keep_collaborators (",)),
    ("attachments, collaborators, acknowledgement checks", ("_maybe_acknowledge (",)),
    ("SLA clocks and routing (in-transaction subscribers)", ("servicedesk/sla_tracking/",)),
    ("SLA clocks and routing (in-transaction subscribers)", ("servicedesk/routing/",)),
    ("live push after commit (Socket.IO)", ("servicedesk/live/",)),
    ("COMMIT: before-commit hooks, COMMIT, after-commit events", ("UnitOfWork.commit (",)),
    ("unit of work open/close (session)", ("UnitOfWork.__a",)),
    ("rest of intake (ORM ticket get, clear-bounce UPDATE, retries)", ("servicedesk/intake/",)),
    ("TwiML answer (twilio MessagingResponse)", ("telephony/twiml.py",)),
    ("the route's own code (_signed, sms_received)", ("servicedesk/web/twilio.py",)),
    ("background: job worker, SLA sweeper (RUN_WORKER)", ("procrastinate/",)),
    ("background: job worker, SLA sweeper (RUN_WORKER)", ("running_sweeper",)),
    ("middleware, routing, Socket.IO ASGI wrapper", ("ASGIApp.__call__ (",)),
]
OUTSIDE = "uvicorn HTTP parsing, event loop, asyncpg protocol callbacks"


def step_of(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, marker in STEPS:
            if all(part in frame for part in marker):
                return name
    return OUTSIDE


def _webhook(sid: str, sender: str, body: str, media: int = 0) -> tuple[str, dict[str, str]]:
    links = [("image/jpeg", f"https://api.twilio.com/media/ME{sid[2:]}")] * media
    fields = form(sid, sender, body, links, hebrew=True)
    return sign(AUTH_TOKEN, public_url(PUBLIC_BASE, PATH), fields), fields


def kinds(rep: int) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, signature, form) of one webhook of each kind; numbers new per `rep`."""
    new = f"+97258{rep:07d}"
    sid = f"{rep:032x}"
    first = _webhook("SM1" + sid[1:], new, "שלום, המכונה לא מנקזת מים")
    return [
        ("first text from a new number (opens a ticket)", *first),
        ("its next text (joins that ticket)", *_webhook("SM2" + sid[1:], new, "יש עדכון?")),
        (
            "existing customer, open e-mail ticket (joins it)",
            *_webhook("SM3" + sid[1:], existing_number(2 * rep), "Any news?"),
        ),
        (
            "existing customer, no open ticket (opens one)",
            *_webhook("SM4" + sid[1:], existing_number(2 * rep + 1), "Dryer shows E21"),
        ),
        ("MMS, one photo, new number", *_webhook("MM5" + sid[1:], f"+97250{rep:07d}", "", 1)),
        ("STOP from a new number", *_webhook("SM6" + sid[1:], f"+97252{rep:07d}", "STOP")),
        ("Twilio's retry of the first text", *first),
    ]


async def round_trips(url: str, home: Path) -> list[str]:
    from servicedesk.app import create_app
    from servicedesk.settings import load_settings

    settings = load_settings({**server_env("project", url, home), "RUN_WORKER": "false"})
    app = create_app(settings)
    trips: dict[str, list[tuple[str, str]]] = {}
    async with (
        LifespanManager(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PUBLIC_BASE) as client,
    ):
        with counting():
            for rep in range(REPEATS):
                for kind, signature, fields in kinds(rep):
                    RECORDER.trips.clear()
                    RECORDER.on = True
                    answer = await client.post(PATH, data=fields, headers={HEADER: signature})
                    RECORDER.on = False
                    if answer.status_code != 200:
                        raise RuntimeError(f"{kind}: {answer.status_code} {answer.text[:200]}")
                    trips[kind] = list(RECORDER.trips)
    out = ["Round trips per webhook (the last of each kind, statement caches warm):"]
    for kind, seen in trips.items():
        out.append(f"  {len(seen):2d}  {kind}")
        out += [f"        {short(k, sql)}" for k, sql in seen]
    return out


async def sampled(url: str, home: Path, seconds: int, folder: Path) -> list[str]:
    warm = build(400, 64, customers=1000, corpus=1)
    measured = build(max(400, seconds * 40), 64, customers=1000, corpus=2)
    warm.write(folder / "warm")
    measured.write(folder / "measured")
    collapsed = RESULTS / "sms-profile.collapsed"
    collapsed.unlink(missing_ok=True)
    launcher = [sys.executable, "-m", "bench.sampler", str(collapsed), "--"]
    env = server_env("project", url, home)
    log = RESULTS / "logs" / "sms-profile.log"
    factory = "servicedesk.app:create_app"
    with serve("profile", factory, ServerSettings(1), env, log, launcher=launcher) as s:
        target = s.base_url + PATH
        await asyncio.to_thread(replay, target, folder / "warm", 64, 3)
        os.kill(s.pid, signal.SIGUSR1)
        before = cpu.server_cpu(s.pid)
        result = await asyncio.to_thread(replay, target, folder / "measured", 64, seconds)
        spent = cpu.server_cpu(s.pid) - before
        os.kill(s.pid, signal.SIGUSR2)
        await sampler.written(collapsed)
    if result.failures or result.exhausted:
        raise RuntimeError(f"webhooks failed or ran out: {result.first_error}")
    rate = result.ok / result.duration_s
    per = spent * 1000 / max(result.ok, 1)
    steps: Counter[str] = Counter()
    libraries: Counter[str] = Counter()
    sa: Counter[str] = Counter()
    total = 0
    for line in collapsed.read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        n, frames = int(count), stack.split(";")
        total += n
        steps[step_of(frames)] += n
        libraries[library_of(frames[-1])] += n
        sa[sqlalchemy_entry(frames) or "(not under SQLAlchemy)"] += n
    total = max(total, 1)
    out = [
        f"Under load (sampled; the sampler adds ~30 %): {rate:,.0f} webhooks/s, "
        f"{per:.2f} ms of server CPU per webhook",
        "",
        "CPU by step (innermost step wins):",
    ]
    for k, n in steps.most_common():
        out.append(f"  {100 * n / total:5.1f}%  {per * n / total:5.2f} ms  {k}")
    out += ["", "CPU by library (where the sampled Python frame lives):"]
    out += [f"  {100 * n / total:5.1f}%  {k}" for k, n in libraries.most_common(12)]
    out += ["", "CPU under SQLAlchemy, by what our code asked of it:"]
    out += [f"  {100 * n / total:5.1f}%  {k}" for k, n in sa.most_common()]
    return out


async def investigate(seconds: int, sla: bool) -> str:
    async with fresh_database() as bdb:
        await prepare(bdb.url, 1000)
        if sla:
            await activate_demo_policies(bdb.url)
        lines = await round_trips(bdb.url, bdb.home)
        with tempfile.TemporaryDirectory(prefix="sms-profile-") as folder:
            lines += ["", *await sampled(bdb.url, bdb.home, seconds, Path(folder))]
    return "\n".join(lines)


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--sla"]
    seconds = int(args[0]) if args else 20
    text = asyncio.run(investigate(seconds, sla="--sla" in sys.argv[1:]))
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sms-profile.txt").write_text(text + "\n", encoding="utf-8")
    print(f"\nWritten: {RESULTS / 'sms-profile.txt'}, stacks: {RESULTS / 'sms-profile.collapsed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
