"""create_app(): routes, middleware, error handlers and the lifespan that builds
everything with state (engine, event bus, Socket.IO server)."""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import socketio
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from servicedesk import migrate
from servicedesk.api.routes import routes as api_routes
from servicedesk.channels.email.transports import mail_intake
from servicedesk.channels.voice.flow import VoiceDesk
from servicedesk.channels.voice.setup import voice_menu
from servicedesk.db import Database, make_engine
from servicedesk.embedded import resolve_database_url
from servicedesk.errors import Conflict, ServiceError
from servicedesk.events import EventBus
from servicedesk.jobs import background_worker
from servicedesk.live.chat import NAMESPACE as CHAT_NAMESPACE
from servicedesk.live.chat import running as running_live_chat
from servicedesk.live.chat import wire_live_chat
from servicedesk.live.manager import client_manager
from servicedesk.live.presence import LivePresence, own_connections
from servicedesk.live.rooms import NAMESPACE as LIVE_NAMESPACE
from servicedesk.live.server import wire_staff_live
from servicedesk.routing.dispatch import capacity_of
from servicedesk.routing.router import Router, running_router, subscribe_router
from servicedesk.settings import Settings, load_settings
from servicedesk.sla_tracking.sweeper import running_sweeper
from servicedesk.web.middleware import RequestIdMiddleware
from servicedesk.web.ratelimit import LoginThrottle
from servicedesk.web.routes import page_routes
from servicedesk.web.session_cookie import SESSION_COOKIE
from servicedesk.web.templating import error_page
from servicedesk.web.twilio import twilio_routes
from servicedesk.wiring import subscribe_domain

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    db: Database = request.app.state.db
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
            current = await migrate.is_current(conn)
    except Exception as exc:
        log.warning("readiness check failed: %s", exc)
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    if not current:
        return JSONResponse({"status": "unavailable", "migrations": "pending"}, status_code=503)
    return JSONResponse({"status": "ready", "database": "ok", "migrations": "current"})


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get(
        "accept", ""
    )


async def on_service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    if _wants_json(request):
        return JSONResponse(exc.to_dict(), status_code=exc.status_code, headers=headers)
    return error_page(request, exc.status_code, exc.message, exc.fields)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if _wants_json(request):
        return JSONResponse(
            {"error": "http_error", "message": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    return error_page(request, exc.status_code, str(exc.detail), {})


async def on_integrity_error(request: Request, exc: Exception) -> Response:
    # A concurrent request won a unique constraint between our check and our write.
    log.info("integrity error answered as 409: %s", exc)
    return await on_service_error(
        request, Conflict("this conflicts with a record saved a moment ago; retry")
    )


async def on_client_gone(request: Request, exc: Exception) -> Response:
    # The client hung up before sending its whole body: nothing was stored, and
    # nobody is left to answer. Not an error of ours.
    log.info("client disconnected during %s %s", request.method, request.url.path)
    return Response(status_code=400)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    if _wants_json(request):
        return JSONResponse({"error": "internal", "message": "internal error"}, status_code=500)
    return error_page(request, 500, "Something went wrong on our side.", {})


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> Any:
    """The ASGI application: Socket.IO in front of Starlette, sharing one lifespan."""
    settings = settings or load_settings()
    bus = database.bus if database is not None else EventBus()
    # Mounted now; its handlers are wired in the lifespan, once the database exists.
    # Staff screens on /live, customers' widgets on /chat; the default namespace
    # serves nobody. With REDIS_URL, events reach screens held by other processes.
    sio = socketio.AsyncServer(
        async_mode="asgi",
        cors_allowed_origins=[],
        logger=False,
        namespaces=[LIVE_NAMESPACE, CHAT_NAMESPACE],
        client_manager=client_manager(settings),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = database
        if db is None:
            url = resolve_database_url(settings.database_url, settings.home)
            db = Database(make_engine(url, pool_size=settings.db_pool_size), bus)
        app.state.db = db
        presence = LivePresence(own_connections(db))  # agents' screens, for routing
        wire_staff_live(sio, db, settings, bus, presence)
        app.state.sio = sio
        registry = subscribe_domain(bus, settings)
        app.state.sla_registry = registry  # business hours for voice and chat
        app.state.voice = VoiceDesk(db, settings, voice_menu(settings), registry)
        live_chat = wire_live_chat(sio, db, settings, registry, bus, presence)
        router = Router(
            own_connections(db), capacity_of(settings), interval=settings.routing_sweep_seconds
        )
        subscribe_router(bus, router)  # offers follow new work, free agents, refusals
        presence.listeners.append(router.wake)  # a screen opened: someone to offer to
        app.state.router = router
        try:
            async with (
                running_live_chat(live_chat, presence),  # web chat: waits, idling, presence
                running_router(router, enabled=settings.run_worker),  # RUN_WORKER: offers
                background_worker(settings, db),  # RUN_WORKER: outbound jobs
                running_sweeper(  # RUN_WORKER: SLA warnings, breaches, escalations
                    db, registry, enabled=settings.run_worker, interval=settings.sla_sweep_seconds
                ),
                mail_intake(settings, db),  # SMTP_LISTEN, IMAP_MAILBOXES
            ):
                # What start-up allocated lives as long as the process: out of the
                # collector's sight, its pauses stay short (BENCHMARKS.md, live push).
                gc.freeze()
                # Each push makes a task per screen: with the default threshold (700)
                # young collections run hundreds of times a second under load, and
                # every older one walks all the connections (BENCHMARKS.md).
                gc.set_threshold(50_000, 20, 100)
                yield
        finally:
            if database is None:
                await db.dispose()

    static_dir = ROOT / "static"
    static_dir.mkdir(exist_ok=True)
    starlette_app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount("/api/v1", routes=api_routes()),
            Mount("/twilio", routes=twilio_routes()),  # signed by Twilio, not CSRF
            Mount("/static", StaticFiles(directory=static_dir), name="static"),
            *page_routes(),
        ],
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(
                SessionMiddleware,
                secret_key=str(settings.secret_key),
                session_cookie=SESSION_COOKIE,
                max_age=settings.session_max_age,
                same_site="lax",
                https_only=settings.session_https_only,
            ),
        ],
        exception_handlers={
            ServiceError: on_service_error,
            HTTPException: on_http_error,
            IntegrityError: on_integrity_error,
            ClientDisconnect: on_client_gone,
            Exception: on_unexpected,
        },
        lifespan=lifespan,
    )
    starlette_app.state.settings = settings
    starlette_app.state.bus = bus
    starlette_app.state.login_throttle = LoginThrottle(
        settings.login_attempts, settings.login_window_seconds
    )
    asgi = socketio.ASGIApp(sio, other_asgi_app=starlette_app, socketio_path="/socket.io")
    asgi.starlette = starlette_app  # tests and the CLI reach app.state through this
    return asgi
