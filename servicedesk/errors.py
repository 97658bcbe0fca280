"""One error family, each carrying its HTTP status. Services raise these; the
web layer turns them into JSON (API) or a fragment/page (browser)."""

from __future__ import annotations


class ServiceError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(ServiceError):
    status_code = 422
    code = "invalid"


class NotAuthenticated(ServiceError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(ServiceError):
    status_code = 403
    code = "forbidden"


class NotFound(ServiceError):
    status_code = 404
    code = "not_found"


class Conflict(ServiceError):
    status_code = 409
    code = "conflict"


class TooManyRequests(ServiceError):
    status_code = 429
    code = "rate_limited"
