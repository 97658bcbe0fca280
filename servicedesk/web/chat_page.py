"""`/chat`: the customer's chat page, public, meant to be framed by any site that
embeds `static/chat-widget.js` (CHAT_EMBED_ORIGINS limits which).

It is static HTML: no session, no cookie, nothing about any chat; the script on it
talks to the `/chat` Socket.IO namespace. A strict Content-Security-Policy (our own
scripts only, no inline script) backs the rule that untrusted text is only ever
set as text."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from servicedesk.settings import Settings
from servicedesk.web.i18n import LANGUAGES, RTL, language_of, translate
from servicedesk.web.templating import templates

# The strings the page's script shows (chat.js), in the page's language.
SCRIPT_STRINGS = (
    "chat_state_waiting",
    "chat_state_active",
    "chat_state_active_anonymous",
    "chat_end_customer",
    "chat_end_agent",
    "chat_end_idle",
    "chat_end_no_agent",
    "chat_end_out_of_hours",
    "chat_end_superseded",
    "chat_typing",
    "chat_agent",
    "chat_you",
    "chat_sending",
    "chat_sent",
    "chat_not_sent",
    "chat_offline",
    "chat_confirm_end",
    "chat_error_required",
    "chat_error_invalid",
    "chat_error_too_long",
    "chat_error_rate_limited",
    "chat_error_chat_ended",
    "chat_error_bad_token",
    "chat_error_unavailable",
    "chat_error_other",
)


def content_security_policy(embed_origins: tuple[str, ...]) -> str:
    allowed = [o for o in embed_origins if o and not any(c in o for c in ';,"\r\n')]
    ancestors = " ".join(allowed) or "'none'"
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors {ancestors}",
        )
    )


async def chat_page(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    asked = request.query_params.get("lang", "")
    lang = asked if asked in LANGUAGES else language_of(request)
    queue = request.query_params.get("queue", "")[:100]
    embedded = request.query_params.get("embed") == "1"
    other = "en" if lang == "he" else "he"
    keep = {"lang": other}
    if queue:
        keep["queue"] = queue
    if embedded:
        keep["embed"] = "1"
    response = templates.TemplateResponse(
        request,
        "chat/page.html",
        {
            "lang": lang,
            "dir": "rtl" if lang in RTL else "ltr",
            "t": lambda key, **v: translate(key, lang, **v),
            "queue": queue,
            "embedded": embedded,
            "max_chars": settings.chat_max_chars,
            "other_lang": other,
            "other_lang_query": urlencode(keep),
            "strings": {key: translate(key, lang) for key in SCRIPT_STRINGS},
        },
    )
    response.headers["Content-Security-Policy"] = content_security_policy(
        settings.chat_embed_origins
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response
