"""The desk as `bench.live` serves it: `servicedesk.app:create_app` unchanged, plus
an after-commit subscriber on its event bus that notes the instant each ticket's
commit is done (`TicketCreated`), read at `GET /__bench/sent`.

    uvicorn bench.live_app:create_app --factory

The subscriber is added before the lifespan wires the desk's own pushes, so it runs
first among the after-commit handlers: its instant is the commit's, not the push's.
The desk calls `gc.freeze()` at the end of its own start-up.

For investigating only, never for the figures: BENCH_LIVE_ONE_PUSH=1 drops the two
pushes that follow each new ticket to the same screens (`ticket.updated` for its
opening message, `queue.changed`), to see what one push per new ticket would give."""

from __future__ import annotations

import os
from typing import Any

from bench.live_probe import Probe, gc_settings
from servicedesk.app import create_app as create_desk
from servicedesk.events import TicketCreated
from servicedesk.live.pushes import Payload, Pushes


def create_app() -> Any:
    gc_settings()
    if os.environ.get("BENCH_LIVE_ONE_PUSH") == "1":
        _one_push_per_new_ticket()
    desk = create_desk()
    probe = Probe()

    async def committed(event: TicketCreated) -> None:
        probe.record(event.ticket_id)

    desk.starlette.state.bus.subscribe_after_commit(TicketCreated, committed)
    return probe.wrap(desk, {})


def _one_push_per_new_ticket() -> None:
    emit = Pushes.emit
    created: set[int] = set()

    async def fewer(self: Pushes, name: str, payload: Payload, rooms: list[str]) -> None:
        if name == "ticket.created":
            created.add(int(payload["ticket_id"]))
        elif name == "queue.changed" or (
            name == "ticket.updated" and payload.get("message") and payload["ticket_id"] in created
        ):
            return
        await emit(self, name, payload, rooms)

    Pushes.emit = fewer  # type: ignore[method-assign]
