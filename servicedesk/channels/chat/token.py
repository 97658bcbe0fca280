"""The customer's proof of which chat is theirs: a signed token given at the start
and kept by the widget (localStorage), so a reload or a dropped connection resumes
the same conversation. The widget never names a ticket or chat id itself."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadData, URLSafeTimedSerializer

SALT = "servicedesk.chat"
MAX_AGE = timedelta(days=7)
MAX_TOKEN = 500  # characters; ours are about 60


class ChatTokens:
    def __init__(self, secret: str, *, max_age: timedelta = MAX_AGE) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=SALT)
        self._max_age = int(max_age.total_seconds())

    def issue(self, chat_id: int) -> str:
        return str(self._serializer.dumps({"chat": chat_id}))

    def chat_of(self, token: object) -> int | None:
        """The chat a token names, or None for anything forged, expired or malformed."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN:
            return None
        try:
            data = self._serializer.loads(token, max_age=self._max_age)
        except BadData:
            return None
        chat_id = data.get("chat") if isinstance(data, dict) else None
        return chat_id if isinstance(chat_id, int) and chat_id > 0 else None
