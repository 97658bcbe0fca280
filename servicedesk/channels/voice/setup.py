"""The phone menu the desk plays: VOICE_MENU_FILE, else the one shipped beside this
module (it fits the demo desk's queues). A broken file stops the app at start-up
with the place and the problem, rather than failing a caller later."""

from __future__ import annotations

from pathlib import Path

from servicedesk.settings import Settings
from telephony.menu import LANGUAGES, Menu, MenuError, load_menu

SHIPPED_MENU = Path(__file__).with_name("menu.toml")
DIAL_MODES = ("client", "phone")


class VoiceConfigError(ValueError):
    pass


def voice_menu(settings: Settings) -> Menu:
    path = settings.voice_menu_file or SHIPPED_MENU
    if settings.voice_language not in LANGUAGES:
        raise VoiceConfigError(f"VOICE_LANGUAGE must be one of {', '.join(LANGUAGES)}")
    if settings.voice_agent_dial not in DIAL_MODES:
        raise VoiceConfigError(f"VOICE_AGENT_DIAL must be one of {', '.join(DIAL_MODES)}")
    try:
        return load_menu(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VoiceConfigError(f"VOICE_MENU_FILE {path}: {exc.strerror}") from exc
    except MenuError as exc:
        raise VoiceConfigError(f"VOICE_MENU_FILE {path}: {exc}") from exc
