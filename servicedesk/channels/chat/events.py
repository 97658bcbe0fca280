"""What the chat tells the rest of the desk: its state changed. Ids only; the live
push reads what to show after commit."""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.events import DomainEvent


@dataclass(frozen=True)
class ChatChanged(DomainEvent):
    chat_id: int
    ticket_id: int
    state: str  # ChatState
    agent_user_id: int | None = None
    previous_agent_user_id: int | None = None
    end_reason: str | None = None
