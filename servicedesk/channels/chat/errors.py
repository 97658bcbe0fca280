"""The chat's own refusals, in the desk's one error family (each with its code,
which the widget shows in the customer's language)."""

from __future__ import annotations

from servicedesk.errors import Conflict, NotAuthenticated, ServiceError


class BadToken(NotAuthenticated):
    code = "bad_token"


class NoChat(ServiceError):
    code = "no_chat"


class ChatEnded(Conflict):
    code = "chat_ended"
