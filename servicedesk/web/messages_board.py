"""Interface strings of the supervisor board (/board), in Hebrew and English; merged
into `i18n.MESSAGES`."""

from __future__ import annotations

MESSAGES_BOARD: dict[str, dict[str, str]] = {
    "board_nav": {"en": "Board", "he": "לוח בקרה"},
    "board_title": {"en": "Supervisor board", "he": "לוח בקרה לראש הצוות"},
    "board_hint": {
        "en": "Live: it refreshes itself when queues, agents, tickets or SLA clocks change.",
        "he": "חי: מתעדכן מעצמו כשתורים, נציגים, פניות או שעוני SLA משתנים.",
    },
    # queue tiles
    "board_queues": {"en": "Queues now", "he": "התורים כעת"},
    "board_no_queues": {"en": "No queues yet.", "he": "אין עדיין תורים."},
    "board_open_queue": {"en": "The queue's tickets", "he": "הפניות של התור"},
    "board_waiting": {"en": "Waiting", "he": "ממתינות"},
    "board_longest_wait": {"en": "Longest wait", "he": "ההמתנה הארוכה ביותר"},
    "board_available": {"en": "Available", "he": "זמינים"},
    "board_on_call": {"en": "On a call", "he": "בשיחה"},
    "board_away": {"en": "Away", "he": "לא זמינים"},
    "board_offline": {"en": "Offline", "he": "מנותקים"},
    "board_at_risk": {"en": "At risk", "he": "בסיכון"},
    "board_breached": {"en": "Breached", "he": "חרגו מהיעד"},
    "board_compliance_today": {"en": "SLA met today", "he": "עמידה ב-SLA היום"},
    "board_compliance_detail": {
        "en": "{met} of {decided} on time",
        "he": "{met} מתוך {decided} בזמן",
    },
    "board_nothing_decided": {"en": "nothing decided yet", "he": "עדיין אין הכרעות"},
    # forecast
    "board_forecast": {"en": "Next hour (Erlang C forecast)", "he": "השעה הקרובה (תחזית Erlang C)"},
    "board_forecast_hint": {
        "en": "From the arrivals (the last hour blended with the same hour in the last four "
        "weeks), the handle time and the agents available or on a call. It assumes nobody "
        "hangs up, so the waits shown are on the pessimistic side.",
        "he": "לפי קצב הפניות (השעה האחרונה בשילוב אותה שעה בארבעת השבועות הקודמים), זמן "
        "הטיפול והנציגים הזמינים או בשיחה. ההנחה היא שאיש אינו מנתק, ולכן זמני ההמתנה "
        "המוצגים פסימיים.",
    },
    "board_arrivals": {"en": "Arrivals per hour", "he": "פניות לשעה"},
    "board_arrivals_detail": {
        "en": "last hour {last}; this hour in earlier weeks: {weeks}",
        "he": "בשעה האחרונה {last}; שעה זו בשבועות קודמים: {weeks}",
    },
    "board_no_history": {"en": "no earlier weeks", "he": "אין שבועות קודמים"},
    "board_handle": {"en": "Handle time", "he": "זמן טיפול"},
    "board_handle_default": {
        "en": "default: no answered calls this week",
        "he": "ברירת מחדל: לא נענו שיחות השבוע",
    },
    "board_staffing": {"en": "Agents working", "he": "נציגים בעבודה"},
    "board_traffic": {"en": "Load", "he": "עומס"},
    "board_erlangs": {"en": "{n} erlangs", "he": "{n} ארלנג"},
    "board_occupancy": {"en": "Occupancy", "he": "תפוסה"},
    "board_p_wait": {"en": "Will wait at all", "he": "ימתינו בכלל"},
    "board_asa": {"en": "Average wait", "he": "המתנה ממוצעת"},
    "board_service_level": {"en": "Service level", "he": "רמת שירות"},
    "board_target": {
        "en": "target {percent}% within {seconds} s",
        "he": "יעד: {percent}% תוך {seconds} שנ׳",
    },
    "board_needed": {"en": "Agents for the target", "he": "נציגים הדרושים ליעד"},
    "board_short": {"en": "{n} short", "he": "חסרים {n}"},
    "board_enough": {"en": "enough", "he": "מספיק"},
    "board_unstable": {
        "en": "More work than agents: the line grows without end.",
        "he": "יותר עבודה מנציגים: התור יגדל ללא סוף.",
    },
    "board_likely": {"en": "Likely to breach while waiting", "he": "צפויות לחרוג בזמן ההמתנה"},
    "board_likely_none": {"en": "None expected.", "he": "לא צפויות חריגות."},
    "board_likely_more": {"en": "and {n} more", "he": "ועוד {n}"},
    "board_position": {"en": "In line", "he": "מקום בתור"},
    "board_expected_answer": {"en": "Answered in", "he": "מענה בעוד"},
    # closest to breach
    "board_closest": {"en": "Closest to breach", "he": "הקרובות לחריגה"},
    "board_closest_none": {"en": "No running SLA deadlines.", "he": "אין מועדי SLA פעילים."},
    "board_due": {"en": "Due", "he": "מועד יעד"},
    "board_warns": {"en": "Warning at", "he": "התראה ב־"},
    "board_clock": {"en": "Clock", "he": "שעון"},
    # agents
    "board_agents": {"en": "Agents", "he": "נציגים"},
    "board_no_agents": {"en": "No agents.", "he": "אין נציגים."},
    "board_state": {"en": "State", "he": "מצב"},
    "board_since": {"en": "Since", "he": "מאז"},
    "board_screen": {"en": "Screen", "he": "מסך"},
    "board_connected": {"en": "connected", "he": "מחובר"},
    "board_no_screen": {"en": "no screen", "he": "ללא מסך"},
    "board_load": {"en": "Open tickets", "he": "פניות פתוחות"},
    "board_state_available": {"en": "Available", "he": "זמין"},
    "board_state_on_call": {"en": "On a call", "he": "בשיחה"},
    "board_state_away": {"en": "Away", "he": "לא זמין"},
    "board_state_offline": {"en": "Offline", "he": "מנותק"},
    # numbers
    "board_dur_s": {"en": "{s} s", "he": "{s} שנ׳"},
    "board_dur_ms": {"en": "{m} min {s} s", "he": "{m} דק׳ {s} שנ׳"},
    "board_dur_hm": {"en": "{h} h {m} min", "he": "{h} שע׳ {m} דק׳"},
    "board_never": {"en": "never", "he": "אין מענה"},
}
