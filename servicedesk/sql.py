"""Hand-written SQL run on the driver, for the few per-request statements where
SQLAlchemy's own work per statement costs more than the query (BENCHMARKS.md).

Written with `:name` parameters, turned into asyncpg's `$n` once at import."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class DriverSQL:
    """One statement: its `$n` text and the parameter names in order."""

    def __init__(self, sql: str) -> None:
        names: list[str] = []

        def number(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        # Parameters are looked for outside '…' literals only (odd parts of the split).
        parts = sql.split("'")
        self.sql = "'".join(
            part if i % 2 else _PARAM.sub(number, part) for i, part in enumerate(parts)
        )
        self.names = tuple(names)

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        missing = set(self.names) - params.keys()
        if missing:
            raise KeyError(f"missing SQL parameters: {sorted(missing)}")
        return tuple(params[name] for name in self.names)
