"""The mail intake the app runs itself: the SMTP listener (SMTP_LISTEN) and the
IMAP pollers (IMAP_MAILBOXES), started in the lifespan when configured and
stopped before the engine goes. (The third transport, `servicedesk mailgate`,
is a process of its own.)"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from servicedesk.db import Database
from servicedesk.settings import Settings


@contextlib.asynccontextmanager
async def mail_intake(settings: Settings, db: Database) -> AsyncIterator[None]:
    """Listen and poll while inside; on the way out stop taking mail first, then
    let the messages in hand commit."""
    if not settings.smtp_listen and not settings.imap_mailboxes:
        yield
        return
    # Loaded only when configured: the parser and the protocol libraries.
    from servicedesk.channels.email.imap import ImapIntake
    from servicedesk.channels.email.smtp_listener import SmtpListener

    smtp = SmtpListener.from_settings(db, settings) if settings.smtp_listen else None
    imap = ImapIntake(db, settings) if settings.imap_mailboxes else None
    if smtp is not None:
        await smtp.start()
    try:
        if imap is not None:
            imap.start()
        yield
    finally:
        if smtp is not None:
            await smtp.stop()
        if imap is not None:
            await imap.stop()
