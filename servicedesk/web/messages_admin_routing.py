"""Interface strings of the routing settings (Admin → Routing: queues' routing,
skills, agents' skills and capacity), in Hebrew and English; merged into
`i18n.MESSAGES`."""

from __future__ import annotations

ADMIN_ROUTING_MESSAGES: dict[str, dict[str, str]] = {
    "routing_nav": {"en": "Routing", "he": "ניתוב"},
    "routing_title": {"en": "Routing", "he": "ניתוב פניות"},
    "routing_intro": {
        "en": "How each queue hands out its work, and who may take what. "
        "Changes apply from the next offer.",
        "he": "איך כל תור מחלק את העבודה שלו, ומי רשאי לקבל מה. השינויים חלים מההצעה הבאה.",
    },
    "routing_saved": {"en": "Routing of {name} saved.", "he": "הגדרות הניתוב של {name} נשמרו."},
    "routing_edit": {"en": "Edit", "he": "עריכה"},
    "routing_skills_capacity": {"en": "Skills and capacity", "he": "מיומנויות וקיבולת"},
    "routing_agents": {"en": "Agents and supervisors", "he": "נציגים וראשי צוות"},
    "routing_no_agents": {
        "en": "No active agents or supervisors.",
        "he": "אין נציגים או ראשי צוות פעילים.",
    },
    # a queue's settings
    "routing_of_queue": {"en": "Routing of the queue", "he": "ניתוב התור"},
    "routing_offer_timeout": {
        "en": "Time to take an offer (seconds)",
        "he": "זמן לקבלת הצעה (שניות)",
    },
    "routing_offer_timeout_short": {"en": "Time to take", "he": "זמן לקבלה"},
    "routing_offer_timeout_hint": {
        "en": "{lo}–{hi}. Unanswered, the offer passes to the next agent and this one is set away.",
        "he": "בין {lo} ל-{hi}. הצעה שלא נענתה עוברת לנציג הבא, והנציג מסומן כלא ליד העמדה.",
    },
    "routing_seconds": {"en": "{n} s", "he": "{n} שנ׳"},
    "routing_email_mode": {"en": "E-mail", "he": "דוא״ל"},
    "routing_email_short": {"en": "E-mail", "he": "דוא״ל"},
    "email_mode_pull": {"en": "Pulled", "he": "משיכה"},
    "email_mode_push": {"en": "Pushed", "he": "דחיפה"},
    "email_mode_pull_long": {
        "en": "Pulled: agents take e-mail with Next ticket",
        "he": "משיכה: הנציגים לוקחים דוא״ל בלחיצה על ״הפנייה הבאה״",
    },
    "email_mode_push_long": {
        "en": "Pushed: e-mail is offered to agents like calls and chats",
        "he": "דחיפה: דוא״ל מוצע לנציגים כמו שיחות וצ׳אטים",
    },
    "routing_served_first": {"en": "Served first", "he": "מקבלים שירות ראשונים"},
    "routing_served_first_hint": {
        "en": "customers of these tiers go before everyone else",
        "he": "לקוחות ברמות אלה קודמים לכל השאר",
    },
    "routing_nobody_first": {"en": "none", "he": "אף רמה"},
    "routing_overflow": {"en": "Overflow to another queue", "he": "גלישה לתור אחר"},
    "routing_overflow_short": {"en": "Overflow", "he": "גלישה"},
    "routing_overflow_queue": {"en": "To queue", "he": "אל התור"},
    "routing_no_overflow": {"en": "— no overflow —", "he": "— ללא גלישה —"},
    "routing_overflow_after": {
        "en": "After waiting (minutes)",
        "he": "אחרי המתנה של (דקות)",
    },
    "routing_overflow_after_hint": {
        "en": "1–{hi}; required when a queue is chosen",
        "he": "בין 1 ל-{hi}; חובה כשנבחר תור",
    },
    "routing_overflow_value": {
        "en": "to {queue} after {minutes} min",
        "he": "אל {queue} אחרי {minutes} דק׳",
    },
    "routing_service_level": {"en": "Service level target", "he": "יעד רמת שירות"},
    "routing_service_level_hint": {
        "en": "the board's forecast measures against it",
        "he": "התחזית בלוח הבקרה נמדדת מולו",
    },
    "routing_service_level_percent": {"en": "Share answered (%)", "he": "שיעור הנענים (%)"},
    "routing_service_level_seconds": {"en": "Within (seconds)", "he": "תוך (שניות)"},
    "routing_service_level_value": {
        "en": "{percent}% within {seconds} s",
        "he": "{percent}% תוך {seconds} שנ׳",
    },
    # capacity
    "wc_voice": {"en": "Calls", "he": "שיחות"},
    "wc_chat": {"en": "Chats", "he": "צ׳אטים"},
    "wc_email": {"en": "Written", "he": "כתובות"},
    "wc_voice_long": {"en": "Calls", "he": "שיחות טלפון"},
    "wc_chat_long": {"en": "Chats", "he": "צ׳אטים"},
    "wc_email_long": {
        "en": "Written work (e-mail, SMS, web forms)",
        "he": "עבודה כתובה (דוא״ל, SMS, טפסים)",
    },
    "routing_capacity_members": {"en": "Capacity of its agents", "he": "קיבולת הנציגים בתור"},
    "routing_capacity_queue_hint": {
        "en": "how much of this queue's work each member holds at once; empty: the desk's default",
        "he": "כמה מהעבודה של התור הזה כל חבר צוות מחזיק בבת אחת; ריק: ברירת המחדל של המוקד",
    },
    "routing_capacity_default": {
        "en": "Default {n}; at most {hi}",
        "he": "ברירת מחדל {n}; לכל היותר {hi}",
    },
    "routing_capacity_legend": {
        "en": "Capacity in bold is set for the queue; grey is the desk's default.",
        "he": "קיבולת מודגשת הוגדרה לתור; אפורה היא ברירת המחדל של המוקד.",
    },
    "routing_capacity_own": {"en": "Own capacity", "he": "קיבולת אישית"},
    "routing_capacity_agent_hint": {
        "en": "goes before the queue's; empty: the queue's, else the desk's default",
        "he": "גוברת על זו של התור; ריק: של התור, ואם אין — ברירת המחדל של המוקד",
    },
    "routing_capacity_inherited": {
        "en": "the queue's or the default",
        "he": "של התור או ברירת המחדל",
    },
    "routing_capacity_inherited_title": {
        "en": "Without their own",
        "he": "ללא קיבולת אישית",
    },
    "routing_capacity_inherited_help": {
        "en": "What applies where the agent sets nothing: their queue's setting (bold), "
        "else the desk's default.",
        "he": "מה חל כשלנציג אין הגדרה משלו: הגדרת התור (מודגש), ואחרת ברירת המחדל של המוקד.",
    },
    "routing_desk_default": {"en": "Desk default", "he": "ברירת המחדל של המוקד"},
    # how it works
    "routing_how": {"en": "How routing uses these", "he": "איך הניתוב משתמש בהגדרות"},
    "routing_how_order": {
        "en": "Waiting work is ordered: the tiers served first, then priority, "
        "then the nearest SLA deadline, then the longest wait.",
        "he": "העבודה הממתינה מסודרת כך: קודם רמות הלקוחות המועדפות, אחר כך העדיפות, "
        "אחר כך יעד ה-SLA הקרוב ולבסוף ההמתנה הארוכה ביותר.",
    },
    "routing_how_offer": {
        "en": "Calls and chats are offered to the queue's longest-idle available agent "
        "who has the skills and room.",
        "he": "שיחות וצ׳אטים מוצעים לנציג הזמין בתור שממתין הכי הרבה זמן, "
        "שיש לו את המיומנויות ומקום פנוי.",
    },
    "routing_how_email": {
        "en": "Pushed e-mail is offered the same way; pulled e-mail waits for Next ticket.",
        "he": "דוא״ל בדחיפה מוצע באותה דרך; דוא״ל במשיכה ממתין ל״הפנייה הבאה״.",
    },
    "routing_how_overflow": {
        "en": "Work still waiting, not on offer, after the overflow wait moves to the other queue.",
        "he": "עבודה שעדיין ממתינה, ואינה מוצעת כרגע, בתום זמן ההמתנה עוברת לתור האחר.",
    },
    "routing_how_capacity": {
        "en": "An agent's own capacity goes before the queue's, the queue's before the desk's.",
        "he": "הקיבולת האישית של נציג קודמת לזו של התור, וזו של התור לברירת המחדל של המוקד.",
    },
    # skills
    "skills": {"en": "Skills", "he": "מיומנויות"},
    "skills_intro": {
        "en": "A ticket needs the skill of its customer's language and of its product's "
        "line, when such a skill is defined: only agents who have it are offered it.",
        "he": "פנייה דורשת את המיומנות של שפת הלקוח ושל קו המוצר שלה, אם הוגדרה כזו: "
        "רק נציגים שיש להם אותה יקבלו אותה.",
    },
    "skill_kind": {"en": "Kind", "he": "סוג"},
    "skill_kind_language": {"en": "Language", "he": "שפה"},
    "skill_kind_product_line": {"en": "Product line", "he": "קו מוצרים"},
    "skill_kind_other": {"en": "Other", "he": "אחר"},
    "skill_holders": {"en": "{n} agents", "he": "{n} נציגים"},
    "no_skills": {"en": "No skills defined yet.", "he": "עדיין לא הוגדרו מיומנויות."},
    "skill_new": {"en": "New skill", "he": "מיומנות חדשה"},
    "skill_name_hint": {
        "en": "A language by its code (he, en, ar, ru); a product line by the products' category.",
        "he": "שפה לפי הקוד שלה (he, en, ar, ru); קו מוצרים לפי הקטגוריה של המוצרים.",
    },
    "skill_created": {
        "en": "Skill {name} created; the waiting work was checked against it.",
        "he": "המיומנות {name} נוצרה; העבודה הממתינה נבדקה מולה.",
    },
    "routing_of_agent": {"en": "Skills and capacity of", "he": "מיומנויות וקיבולת של"},
    "skill_level": {"en": "Level", "he": "רמה"},
    "skill_none": {"en": "— none —", "he": "— ללא —"},
    "skill_levels_hint": {
        "en": "Level 1 (basic) to 5 (expert); none: the agent is not offered work that needs it.",
        "he": "רמה 1 (בסיסית) עד 5 (מומחה); ללא: לא יוצעו לנציג פניות שדורשות אותה.",
    },
    "lang_ar": {"en": "Arabic", "he": "ערבית"},
    "lang_ru": {"en": "Russian", "he": "רוסית"},
    # field errors (service messages are these keys)
    "routing_overflow_self": {
        "en": "A queue cannot overflow to itself.",
        "he": "תור לא יכול לגלוש לעצמו.",
    },
    "routing_overflow_wait_required": {
        "en": "Required when work overflows to another queue.",
        "he": "חובה כשהעבודה גולשת לתור אחר.",
    },
    "routing_overflow_queue_required": {
        "en": "Choose the queue to overflow to.",
        "he": "יש לבחור את התור שאליו העבודה גולשת.",
    },
    "skill_language_code": {
        "en": "A language code of two or three letters, such as he or en.",
        "he": "קוד שפה בן שתיים או שלוש אותיות, למשל he או en.",
    },
}
