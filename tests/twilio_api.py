"""A local server speaking the shape of Twilio's REST API (2010-04-01), for the
`twilio` library to talk to in tests: Twilio's cloud cannot be reached from here.

It checks HTTP basic auth (account SID and auth token) as Twilio does, answers
Messages and Calls requests with Twilio's JSON resources, records every request,
and can be told to refuse a number (Twilio's error JSON) or to fail (500)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.live_server import serve

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "test-twilio-auth-token"
OUR_NUMBER = "+97233760000"


@dataclass
class Recorded:
    method: str
    path: str
    form: dict[str, str]


@dataclass
class TwilioApi:
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    # number → (HTTP status, Twilio error code, message) to answer instead of sending
    refuse: dict[str, tuple[int, int, str]] = field(default_factory=dict)
    messages: list[dict[str, Any]] = field(default_factory=list)
    # call SIDs whose update Twilio refuses (the call has already ended: error 21220)
    ended_calls: set[str] = field(default_factory=set)
    call_updates: list[dict[str, str]] = field(default_factory=list)
    recordings: dict[str, bytes] = field(default_factory=dict)  # RecordingSid → MP3 bytes

    def sent_to(self, number: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["to"] == number]


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )


def _app(state: TwilioApi) -> Starlette:
    def authorised(request: Request, account: str) -> bool:
        expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        return account == ACCOUNT_SID and request.headers.get("authorization") == (
            f"Basic {expected}"
        )

    async def create_message(request: Request) -> JSONResponse:
        account = request.path_params["account"]
        form = {k: str(v) for k, v in (await request.form()).items()}
        state.requests.append(Recorded("POST", request.url.path, form))
        if not authorised(request, account):
            return _error(401, 20003, "Authenticate")
        for required in ("To", "From", "Body"):
            if not form.get(required):
                return _error(
                    400, 21604 if required == "To" else 21603, f"'{required}' is required"
                )
        if form["To"] in state.refuse:
            return _error(*state.refuse[form["To"]])
        sid = "SM" + secrets.token_hex(16)
        resource = {
            "sid": sid,
            "account_sid": account,
            "to": form["To"],
            "from": form["From"],
            "body": form["Body"],
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "status_callback": form.get("StatusCallback"),
            "api_version": "2010-04-01",
            "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
        }
        state.messages.append(resource)
        return JSONResponse(resource, status_code=201)

    async def update_call(request: Request) -> JSONResponse:
        account, call = request.path_params["account"], request.path_params["call"]
        form = {k: str(v) for k, v in (await request.form()).items()}
        state.requests.append(Recorded("POST", request.url.path, form))
        if not authorised(request, account):
            return _error(401, 20003, "Authenticate")
        if not call.startswith("CA"):
            return _error(404, 20404, "The requested resource was not found")
        if call in state.ended_calls:
            return _error(400, 21220, "Call is not in-progress. Cannot redirect.")
        state.call_updates.append({"sid": call, **form})
        return JSONResponse(
            {
                "sid": call,
                "account_sid": account,
                "status": "in-progress",
                "api_version": "2010-04-01",
            }
        )

    async def recording(request: Request) -> Response:
        account, sid = request.path_params["account"], request.path_params["sid"]
        state.requests.append(Recorded("GET", request.url.path, {}))
        if not authorised(request, account):
            return _error(401, 20003, "Authenticate")
        if sid not in state.recordings:
            return _error(404, 20404, "The requested resource was not found")
        return Response(state.recordings[sid], media_type="audio/mpeg")

    return Starlette(
        routes=[
            Route("/2010-04-01/Accounts/{account}/Recordings/{sid}.mp3", recording),
            Route("/2010-04-01/Accounts/{account}/Messages.json", create_message, methods=["POST"]),
            Route(
                "/2010-04-01/Accounts/{account}/Calls/{call}.json", update_call, methods=["POST"]
            ),
        ]
    )


@asynccontextmanager
async def running_twilio_api() -> AsyncIterator[TwilioApi]:
    state = TwilioApi()
    async with serve(_app(state)) as base_url:
        state.base_url = base_url
        yield state
