"""After a measurement: what the database holds against what wrk saw answered.

Each stream was replayed in order on one connection, so wrk's per-stream counts say
exactly which webhooks were answered (the first `answered` of the stream) and which
one at most was still in flight when wrk stopped (sent, never answered: it may or may
not have been stored). A run counts only if every answered webhook is in the
database exactly once and nothing else is."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import asyncpg

from bench.sms_baseline import TABLE
from bench.sms_corpus import Corpus, Webhook


@dataclass(frozen=True)
class Replayed:
    """One corpus as far as one wrk run got through it."""

    corpus: Corpus
    streams: tuple[tuple[int, int, int, int], ...]  # (sent, answered, 2xx, exhausted)

    def answered(self) -> list[Webhook]:
        pairs = zip(self.corpus.streams, self.streams, strict=True)
        return [w for stream, (_, answered, _, _) in pairs for w in stream[:answered]]

    def in_flight(self) -> list[Webhook]:
        pairs = zip(self.corpus.streams, self.streams, strict=True)
        return [w for stream, (sent, answered, _, _) in pairs for w in stream[answered:sent]]


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def _sids(hooks: list[Webhook], kind: str | None = None) -> set[str]:
    return {w.sid for w in hooks if kind is None or w.kind == kind}


async def verify_raw(url: str, runs: list[Replayed]) -> tuple[str, list[str]]:
    answered = {w.sid for r in runs for w in r.answered()}
    maybe = {w.sid for r in runs for w in r.in_flight()} - answered
    conn = await asyncpg.connect(_dsn(url))
    try:
        stored = [r["message_sid"] for r in await conn.fetch(f"SELECT message_sid FROM {TABLE}")]
    finally:
        await conn.close()
    found = set(stored)
    problems = []
    if len(found) != len(stored):
        problems.append(f"{len(stored) - len(found)} webhooks stored twice")
    if missing := answered - found:
        problems.append(f"{len(missing):,} answered webhooks not stored, e.g. {min(missing)}")
    if extra := found - answered - maybe:
        problems.append(f"{len(extra):,} rows for webhooks never sent, e.g. {min(extra)}")
    seen = (
        f"{len(stored):,} rows in {TABLE} for {len(answered):,} distinct webhooks answered "
        f"(warm-up included; {len(found & maybe)} of {len(maybe)} in flight at the end stored)"
    )
    return seen, problems


async def verify_project(
    url: str, runs: list[Replayed], open_ticket_of: dict[str, int], *, sla: bool = False
) -> tuple[str, list[str]]:
    """Every answered text one inbound message (by MessageSid) with its media, every
    STOP one audited opt-out and no message; each number's texts on one ticket (an
    existing customer's: their open e-mail ticket), no ticket shared by two numbers;
    with `sla` (policies active, one a catch-all), SLA clocks on every ticket texted."""
    answered = [w for r in runs for w in r.answered()]
    in_flight = [w for r in runs for w in r.in_flight()]
    texts, maybe_texts = _sids(answered, "text"), _sids(in_flight, "text")
    stops, maybe_stops = _sids(answered, "stop"), _sids(in_flight, "stop")
    hooks = {w.sid: w for w in (*answered, *in_flight)}
    conn = await asyncpg.connect(_dsn(url))
    try:
        rows = await conn.fetch(
            """
            SELECT provider_id, ticket_id, meta->'sms'->>'from' AS sender,
                   jsonb_array_length(meta->'sms'->'media') AS media
            FROM message WHERE channel = 'sms' AND direction = 'in'
            """
        )
        audited = await conn.fetch(
            "SELECT after->>'message_sid' AS sid FROM audit_event "
            "WHERE action = 'customer.sms_opt_out'"
        )
        tickets = await conn.fetchval("SELECT count(*) FROM ticket")
        jobs = await conn.fetchval("SELECT count(*) FROM procrastinate_jobs")
        clocked = {r["ticket_id"] for r in await conn.fetch("SELECT ticket_id FROM sla_clock")}
    finally:
        await conn.close()
    problems: list[str] = []
    stored = Counter(r["provider_id"] for r in rows)
    if twice := [sid for sid, n in stored.items() if n > 1]:
        problems.append(f"{len(twice)} texts stored more than once, e.g. {twice[0]}")
    if missing := texts - stored.keys():
        problems.append(f"{len(missing):,} answered texts not stored, e.g. {min(missing)}")
    if extra := stored.keys() - texts - maybe_texts:
        problems.append(f"{len(extra):,} messages for no text sent, e.g. {min(extra)}")
    wrong_media = [
        r["provider_id"]
        for r in rows
        if r["provider_id"] in hooks and r["media"] != hooks[r["provider_id"]].media
    ]
    if wrong_media:
        problems.append(f"{len(wrong_media)} texts with the wrong media, e.g. {wrong_media[0]}")
    opt_outs = Counter(r["sid"] for r in audited)
    if missing_stops := stops - opt_outs.keys():
        problems.append(f"{len(missing_stops)} answered STOPs not recorded")
    if extra_stops := opt_outs.keys() - stops - maybe_stops:
        problems.append(f"{len(extra_stops)} opt-outs recorded for no STOP sent")
    if sum(opt_outs.values()) != len(opt_outs):
        problems.append("a STOP recorded twice")

    tickets_of: dict[str, set[int]] = defaultdict(set)
    senders_of: dict[int, set[str]] = defaultdict(set)
    for r in rows:
        tickets_of[r["sender"]].add(r["ticket_id"])
        senders_of[r["ticket_id"]].add(r["sender"])
    split = [s for s, t in tickets_of.items() if len(t) > 1]
    if split:
        problems.append(f"{len(split)} numbers' texts on more than one ticket, e.g. {split[0]}")
    shared = [t for t, s in senders_of.items() if len(s) > 1]
    if shared:
        problems.append(f"{len(shared)} tickets shared by different numbers, e.g. #{shared[0]}")
    astray = [s for s, t in tickets_of.items() if s in open_ticket_of and t != {open_ticket_of[s]}]
    if astray:
        problems.append(f"{len(astray)} existing customers' texts not on their open ticket")
    seeded = set(open_ticket_of.values())
    opened = {t for t in senders_of if t not in seeded}
    if tickets != len(seeded) + len(opened):
        problems.append(f"{tickets:,} tickets, expected {len(seeded) + len(opened):,}")
    unclocked = senders_of.keys() - clocked
    if sla and unclocked:
        problems.append(
            f"{len(unclocked)} tickets texted have no SLA clock, e.g. #{min(unclocked)}"
        )
    on_seeded = sum(1 for r in rows if r["ticket_id"] in seeded)
    retries = len(answered) - len({w.sid for w in answered})
    seen = (
        f"{len(texts):,} texts answered (warm-up included) → {len(rows):,} inbound messages, "
        f"each once by MessageSid ({len(stored.keys() & maybe_texts)} of {len(maybe_texts)} in "
        f"flight at the end stored); {len(opened):,} tickets opened by a first text, "
        f"{len(rows) - len(opened) - on_seeded:,} texts joined the ticket of the number's "
        f"earlier text, {on_seeded:,} joined existing customers' open e-mail tickets; "
        f"{sum(1 for r in rows if r['media']):,} MMS with their media links; "
        f"{len(stops & opt_outs.keys())} STOPs recorded (no message); "
        f"{sum(1 for w in answered if w.kind == 'help')} HELP answered"
        + (f"; {retries:,} retries answered, none stored twice" if retries else "")
        + f"; SLA clocks on {len(senders_of.keys() & clocked):,} of {len(senders_of):,} tickets"
        f" texted; {jobs} jobs deferred"
    )
    return seen, problems
