"""Twilio's REST API (messages out, calls redirected), through the `twilio` library.

The library's own async HTTP client carries the requests; `api_base` points every
`*.twilio.com` URL it builds at another server speaking Twilio's API shape (a
regional edge, a recording proxy, or the local one the tests run)."""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http import AsyncHttpClient
from twilio.http.response import Response
from twilio.rest import Client

TIMEOUT_SECONDS = 15.0
# Twilio error codes about the recipient or the text, which no retry will fix.
# 21211 invalid 'To', 21408 no permission for the region, 21610 recipient replied STOP,
# 21612 cannot route, 21614 not a mobile number, 21617 body too long.
PERMANENT_CODES = frozenset({21211, 21408, 21610, 21612, 21614, 21617})


T = TypeVar("T")
_log = logging.getLogger(__name__)


MAX_RECORDING_BYTES = 64 * 1024 * 1024  # hours of MP3; anything bigger is cut


class RestError(Exception):
    """Twilio refused the request or could not be reached."""

    def __init__(self, message: str, *, status: int | None, code: int | None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    @property
    def permanent(self) -> bool:
        """Whether trying again would fail the same way (a 4xx about this request,
        not our credentials or rate), so the message should be marked failed now."""
        if self.code in PERMANENT_CODES:
            return True
        return (
            self.status is not None
            and 400 <= self.status < 500
            and self.status
            not in (
                401,
                403,
                408,
                429,
            )
        )


@dataclass(frozen=True)
class SentMessage:
    sid: str
    status: str


class _HttpClient(AsyncHttpClient):  # type: ignore[misc]  # untyped library
    """The library's transport interface on aiohttp, one connection per request
    (a job sends a text every now and then), with `api_base` applied."""

    def __init__(self, api_base: str | None, timeout: float) -> None:
        super().__init__(_log, True, timeout)
        self.api_base = urlsplit(api_base) if api_base else None

    async def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        sent = dict(headers or {})
        if auth is not None:
            pair = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            sent["Authorization"] = f"Basic {pair}"
        limit = aiohttp.ClientTimeout(total=timeout or self.timeout)
        async with (
            aiohttp.ClientSession(timeout=limit) as session,
            session.request(
                method.upper(),
                self.rebase(uri),
                params={key: str(value) for key, value in (params or {}).items()},
                data=data,
                headers=sent,
                allow_redirects=allow_redirects,
            ) as answer,
        ):
            return Response(answer.status, await answer.text(), answer.headers)

    def rebase(self, url: str) -> str:
        parts = urlsplit(url)
        if self.api_base is None or not (parts.hostname or "").endswith("twilio.com"):
            return url
        prefix = self.api_base.path.rstrip("/")
        return urlunsplit(
            (self.api_base.scheme, self.api_base.netloc, prefix + parts.path, parts.query, "")
        )


class TwilioRest:
    """The calls the desk makes to Twilio, each one request."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        api_base: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self.http = _HttpClient(api_base, timeout)
        self.client = Client(account_sid, auth_token, http_client=self.http)
        pair = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self._authorization = {"Authorization": f"Basic {pair}"}

    async def send_sms(
        self, *, to: str, from_: str, body: str, status_callback: str | None
    ) -> SentMessage:
        kwargs: dict[str, str] = {"to": to, "from_": from_, "body": body}
        if status_callback:
            kwargs["status_callback"] = status_callback
        message = await self._call(self.client.messages.create_async(**kwargs))
        return SentMessage(str(message.sid), str(message.status))

    async def redirect_call(self, call_sid: str, twiml: str) -> None:
        """Replace what a live call is doing with `twiml` (for example, `<Dial>` an agent)."""
        await self._call(self.client.calls(call_sid).update_async(twiml=twiml))

    async def recording(self, url: str) -> bytes:
        """A call recording's audio (MP3), fetched with the account's credentials:
        Twilio refuses media requests without them when HTTP auth is enforced."""
        parts = urlsplit(url)
        if parts.scheme != "https" or not (parts.hostname or "").endswith(".twilio.com"):
            raise RestError(f"not a Twilio recording: {url[:80]}", status=None, code=None)
        target = self.http.rebase(url if parts.path.endswith(".mp3") else url + ".mp3")
        limit = aiohttp.ClientTimeout(total=self.http.timeout)
        try:
            async with (
                aiohttp.ClientSession(timeout=limit) as session,
                session.get(target, headers=self._authorization) as answer,
            ):
                if answer.status != 200:
                    raise RestError(
                        f"Twilio answered {answer.status} for the recording",
                        status=answer.status,
                        code=None,
                    )
                return await answer.content.read(MAX_RECORDING_BYTES)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RestError(
                f"Twilio could not be reached: {type(exc).__name__}: {exc}", status=None, code=None
            ) from exc

    @staticmethod
    async def _call(request: Awaitable[T]) -> T:
        try:
            return await request
        except TwilioRestException as exc:
            raise RestError(
                f"Twilio answered {exc.status} (error {exc.code}): {exc.msg}",
                status=exc.status,
                code=exc.code,
            ) from exc
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            raise RestError(
                f"Twilio could not be reached: {type(exc).__name__}: {exc}", status=None, code=None
            ) from exc
