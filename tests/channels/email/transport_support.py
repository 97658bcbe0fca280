"""What the transport tests share: a message as an MTA hands it over, and a look
at what really got committed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from servicedesk.db import utcnow


@dataclass(frozen=True)
class Sample:
    raw: bytes
    message_id: str  # without <>, as the desk stores it
    subject: str


def sample_mail(
    subject: str = "המקרר לא מקרר",
    body: str = "Since last night the fridge is warm.\n",
    sender: str | None = None,
    to: str = "support@desk.example",
    padding: int = 0,
) -> Sample:
    """A plain message with a fresh Message-ID, CRLF line ends as on the wire;
    `padding` adds that many bytes of body (for the size limits)."""
    message = EmailMessage(policy=SMTP)
    message["From"] = sender or f"Noa Cohen <noa.{secrets.token_hex(4)}@example.com>"
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message_id = make_msgid(domain="mail.example")
    message["Message-ID"] = message_id
    message.set_content(body + ("x" * 76 + "\n") * (padding // 77))
    return Sample(message.as_bytes(), message_id.strip("<>"), subject)


@dataclass(frozen=True)
class Filed:
    ticket_ids: list[int]  # one per stored copy of the message
    subjects: list[str]


async def filed(engine: AsyncEngine, message_id: str) -> Filed:
    """The committed copies of an e-mail (by Message-ID) and their tickets, read
    on a connection of its own."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT t.id, t.subject FROM message m JOIN ticket t ON t.id = m.ticket_id "
                    "WHERE m.channel = 'email' AND m.provider_id = :pid ORDER BY m.id"
                ),
                {"pid": message_id},
            )
        ).all()
    return Filed([row[0] for row in rows], [row[1] for row in rows])
