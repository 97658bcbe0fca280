"""Interface strings in Hebrew and English. Hebrew pages are right to left."""

from __future__ import annotations

from starlette.requests import Request

LANGUAGES = ("he", "en")
RTL = frozenset({"he", "ar"})

MESSAGES: dict[str, dict[str, str]] = {
    "app_name": {"en": "Service Desk", "he": "מוקד שירות"},
    "sign_in": {"en": "Sign in", "he": "כניסה"},
    "sign_out": {"en": "Sign out", "he": "יציאה"},
    "email": {"en": "E-mail", "he": "דוא״ל"},
    "password": {"en": "Password", "he": "סיסמה"},
    "bad_login": {"en": "Wrong e-mail or password.", "he": "דוא״ל או סיסמה שגויים."},
    "too_many": {
        "en": "Too many failed attempts. Try again in a few minutes.",
        "he": "יותר מדי ניסיונות כושלים. נסו שוב בעוד כמה דקות.",
    },
    "tickets": {"en": "Tickets", "he": "פניות"},
    "customers": {"en": "Customers", "he": "לקוחות"},
    "products": {"en": "Products", "he": "מוצרים"},
    "users": {"en": "Users", "he": "משתמשים"},
    "queues": {"en": "Queues", "he": "תורים"},
    "queue": {"en": "Queue", "he": "תור"},
    "all_queues": {"en": "All queues", "he": "כל התורים"},
    "status": {"en": "Status", "he": "סטטוס"},
    "priority": {"en": "Priority", "he": "עדיפות"},
    "subject": {"en": "Subject", "he": "נושא"},
    "customer": {"en": "Customer", "he": "לקוח"},
    "assignee": {"en": "Assignee", "he": "מטפל"},
    "unassigned": {"en": "Unassigned", "he": "לא משויך"},
    "channel": {"en": "Channel", "he": "ערוץ"},
    "updated": {"en": "Updated", "he": "עודכן"},
    "number": {"en": "No.", "he": "מס׳"},
    "no_tickets": {"en": "No tickets here.", "he": "אין פניות כאן."},
    "open_work": {"en": "Open work", "he": "עבודה פתוחה"},
    "any_status": {"en": "Any status", "he": "כל סטטוס"},
    "filter": {"en": "Filter", "he": "סינון"},
    "error": {"en": "Error", "he": "שגיאה"},
    "back": {"en": "Back", "he": "חזרה"},
    "language": {"en": "עברית", "he": "English"},
    "new": {"en": "New", "he": "חדשה"},
    "open": {"en": "Open", "he": "פתוחה"},
    "pending": {"en": "Pending", "he": "ממתינה ללקוח"},
    "on_hold": {"en": "On hold", "he": "בהמתנה"},
    "solved": {"en": "Solved", "he": "נפתרה"},
    "closed": {"en": "Closed", "he": "סגורה"},
    "low": {"en": "Low", "he": "נמוכה"},
    "normal": {"en": "Normal", "he": "רגילה"},
    "high": {"en": "High", "he": "גבוהה"},
    "urgent": {"en": "Urgent", "he": "דחופה"},
    "page_of": {"en": "{shown} of {total}", "he": "{shown} מתוך {total}"},
}


def language_of(request: Request, user_language: str | None = None) -> str:
    """Explicit choice (cookie) first, then the user's setting, then the browser."""
    chosen = request.cookies.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if user_language in LANGUAGES:
        assert user_language is not None
        return user_language
    accept = request.headers.get("accept-language", "")
    for part in accept.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
        if code == "iw":
            return "he"
    return "he"


def translate(key: str, language: str, **values: object) -> str:
    entry = MESSAGES.get(key)
    text = key if entry is None else entry.get(language) or entry["en"]
    return text.format(**values) if values else text
