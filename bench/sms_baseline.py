"""The raw baseline the SMS webhook is measured against, served like the project.

A bare Starlette app with one route, `POST /twilio/sms`, doing what any correct
Twilio webhook must and nothing more:

- read the urlencoded form with Starlette (`request.form()`, the parser the project
  uses too);
- check X-Twilio-Signature with the twilio library's `RequestValidator` (made once)
  for the public URL Twilio called — 403 when it does not match;
- one `INSERT … ON CONFLICT (message_sid) DO NOTHING` on a raw asyncpg pool (10–20
  connections, as bench/baseline_app.py), so Twilio's retries are stored once too;
- answer an empty TwiML `<Response/>`.

No ORM, no customer, no ticket, no keyword handling: the ceiling for this stack.
It does not import `servicedesk`. Run with
`uvicorn bench.sms_baseline:create_app --factory` and BENCH_PG_DSN, BENCH_SMS_TOKEN
and BENCH_SMS_PUBLIC_URL set.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

TABLE = "bench_sms"
POOL_SIZE = 10
POOL_MAX = 20
DDL = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigserial PRIMARY KEY,
    message_sid varchar(34) NOT NULL UNIQUE,
    from_number varchar(128) NOT NULL,
    to_number varchar(128) NOT NULL,
    body text NOT NULL,
    media text[] NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
)
"""
INSERT = f"""
INSERT INTO {TABLE} (message_sid, from_number, to_number, body, media)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_sid) DO NOTHING
"""
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'
SIGNATURE = "X-Twilio-Signature"


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app() -> Starlette:
    dsn = os.environ["BENCH_PG_DSN"].replace("postgresql+asyncpg://", "postgresql://", 1)
    validator = RequestValidator(os.environ["BENCH_SMS_TOKEN"])
    public = os.environ["BENCH_SMS_PUBLIC_URL"].rstrip("/")
    state: dict[str, asyncpg.Pool] = {}

    async def received(request: Request) -> Response:
        params = {key: str(value) for key, value in (await request.form()).items()}
        url = public + request.url.path
        if not validator.validate(url, params, request.headers.get(SIGNATURE, "")):
            return PlainTextResponse("invalid Twilio signature", status_code=403)
        media = [params[f"MediaUrl{n}"] for n in range(int(params.get("NumMedia") or 0))]
        await state["pool"].execute(
            INSERT, params["MessageSid"], params["From"], params["To"], params["Body"], media
        )
        return Response(EMPTY, media_type="text/xml; charset=utf-8")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pool = await asyncpg.create_pool(dsn, min_size=POOL_SIZE, max_size=POOL_MAX)
        state["pool"] = pool
        try:
            yield
        finally:
            await pool.close()

    return Starlette(
        routes=[Route("/healthz", healthz), Route("/twilio/sms", received, methods=["POST"])],
        lifespan=lifespan,
    )
