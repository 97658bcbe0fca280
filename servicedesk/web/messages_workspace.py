"""Interface strings of the agent's workspace (merged into i18n.MESSAGES)."""

from __future__ import annotations

WORKSPACE_MESSAGES: dict[str, dict[str, str]] = {
    "workspace": {"en": "My workspace", "he": "סביבת העבודה שלי"},
    "ws_presence": {"en": "My status", "he": "הסטטוס שלי"},
    "presence_available": {"en": "Available", "he": "זמין/ה"},
    "presence_away": {"en": "Away", "he": "לא ליד העמדה"},
    "presence_on_call": {"en": "On a call", "he": "בשיחה"},
    "presence_offline": {"en": "Offline", "he": "לא מחובר/ת"},
    "ws_missed_offer": {
        "en": "Set to away: an offer was not answered in time.",
        "he": "הסטטוס שונה ל'לא ליד העמדה': הצעה לא נענתה בזמן.",
    },
    "ws_load": {
        "en": "{chats} chats · {written} written tickets open",
        "he": "{chats} צ'אטים · {written} פניות כתובות פתוחות",
    },
    "ws_next_ticket": {"en": "Next ticket", "he": "הפנייה הבאה"},
    "ws_shortcut_next": {"en": "Take the next ticket (N)", "he": "לקחת את הפנייה הבאה (N)"},
    "ws_offer_voice": {"en": "Incoming call", "he": "שיחה נכנסת"},
    "ws_offer_chat": {"en": "New chat", "he": "צ'אט חדש"},
    "ws_offer_email": {"en": "New ticket for you", "he": "פנייה חדשה עבורך"},
    "ws_seconds_left": {"en": "seconds left", "he": "שניות שנותרו"},
    "ws_accept": {"en": "Accept", "he": "קבלה"},
    "ws_decline": {"en": "Decline", "he": "דחייה"},
    "ws_my_work": {"en": "My open work", "he": "העבודה הפתוחה שלי"},
    "ws_waiting": {"en": "Waiting in my queues", "he": "ממתינות בתורים שלי"},
    "ws_waiting_short": {"en": "waiting", "he": "ממתינות"},
    "ws_offered_count": {"en": "{n} being offered", "he": "{n} מוצעות כעת"},
    "ws_oldest": {"en": "oldest since", "he": "הוותיקה מאז"},
    "ws_being_offered": {"en": "being offered", "he": "מוצעת כעת"},
    "ws_nothing_mine": {"en": "Nothing assigned to you.", "he": "אין פניות המשויכות אליך."},
    "ws_nothing_waiting": {"en": "Nothing is waiting.", "he": "אין פניות ממתינות."},
    "ws_notice_nothing_waiting": {
        "en": "Nothing is waiting for you right now.",
        "he": "אין כרגע פנייה שממתינה לך.",
    },
    "ws_notice_offer_gone": {
        "en": "That offer is no longer open (it timed out or was taken).",
        "he": "ההצעה כבר אינה בתוקף (הזמן עבר או שנלקחה).",
    },
    "ws_shortcuts": {
        "en": "Keys: A accept · D decline · N next ticket · S toggle available/away · "
        "on a ticket: R reply · I internal note · Esc leave the box",
        "he": "מקשים: A קבלה · D דחייה · N הפנייה הבאה · S זמין/לא ליד העמדה · "
        "בפנייה: R תשובה · I הערה פנימית · Esc יציאה מהתיבה",
    },
    "ws_viewing": {"en": "{names} also viewing", "he": "{names} צופים גם כן"},
    "ws_typing": {"en": "{names} typing a reply", "he": "{names} מקלידים תשובה"},
}
