"""Phrases every scenario shares: greetings, sign-offs, holds, warranty wording."""

from __future__ import annotations

from servicedesk.enums import WarrantyState

GREETING = {"he": "שלום {first},", "en": "Hi {first},"}
SIGN_OFF = {"he": "{agent}\nמוקד שירות הלקוחות", "en": "{agent}\nCustomer Care"}
PARTNER_SIGN_OFF = {"he": "{agent}\nמעבדת אלקטרו-פיקס", "en": "{agent}\nElectroFix service lab"}

# A first answer that is not yet the solution: the ticket stays open.
ACK = {
    "he": (
        "קיבלנו את הפנייה ואנחנו בודקים את הנושא. נעדכן אותך עד סוף היום.",
        "תודה על הפרטים. העברתי את הפנייה לבדיקה מול הצוות הטכני ואחזור אליך בהקדם.",
        "ראינו את הפנייה ואנחנו מטפלים בה כעת. נחזור אליך עם תשובה עוד היום.",
    ),
    "en": (
        "We have received your request and are looking into it. We will update you by the "
        "end of the day.",
        "Thanks for the details. I have passed this to our technical team and will get back "
        "to you shortly.",
        "I'm on it now and will come back to you with an answer today.",
    ),
}

# Replies while the ticket waits on someone else (on hold).
HOLD = {
    ("he", "appliances"): (
        "תיאמנו ביקור טכנאי ליום {date} בין השעות 8:00 ל-12:00. הטכנאי יתקשר כחצי שעה לפני "
        "ההגעה. נא לוודא גישה נוחה למכשיר."
    ),
    ("en", "appliances"): (
        "We have booked a technician visit for {date} between 8:00 and 12:00. The technician "
        "will call about half an hour before arriving. Please make sure the unit is easy to "
        "reach."
    ),
    ("he", "electronics"): (
        "המכשיר נשלח למעבדת השירות המורשית שלנו. זמן הטיפול המשוער הוא 5–7 ימי עסקים, "
        "ונעדכן ברגע שתהיה תשובה מהמעבדה."
    ),
    ("en", "electronics"): (
        "The unit is on its way to our authorised service lab. Repairs usually take 5–7 "
        "business days; we will update you as soon as the lab reports back."
    ),
    ("he", "billing"): "העברנו את הבקשה לבדיקה מול המחלקה המטפלת, ונחזור אליך עד {date}.",
    (
        "en",
        "billing",
    ): "I have passed your request to the team that handles it; we will reply by {date}.",
}
HOLD_NOTE = {
    "he": (
        "ממתין לחלק חילוף מהספק (הזמנת רכש {po}). צפי הגעה: שבוע.",
        "נשלח למעבדה עם תעודת משלוח {po}.",
        "טכנאי האזור בעומס – הביקור נקבע ל-{date}.",
    ),
    "en": (
        "Waiting for a spare part from the supplier (PO {po}), expected within a week.",
        "Sent to the lab, delivery note {po}.",
        "The area technician is fully booked; visit set for {date}.",
    ),
}
BILLING_HOLD_NOTE = {
    "he": ("העברתי להנהלת חשבונות לטיפול (אסמכתה {po}).",),
    "en": ("Passed to accounts to handle (reference {po}).",),
}

# What the lab partner writes on its customers' tickets.
PARTNER_UPDATE = {
    "he": (
        "עדכון מהמעבדה: המכשיר {model} (מס׳ סידורי {serial}) התקבל אצלנו ונמצא בבדיקה. "
        "נעדכן כשהתיקון יושלם."
    ),
    "en": (
        "Lab update: the {model} (serial {serial}) has arrived and is being diagnosed. "
        "We will update you once the repair is complete."
    ),
}

WARRANTY = {
    ("he", WarrantyState.active): "התיקון בוצע במסגרת האחריות (בתוקף עד {until}), ללא עלות.",
    ("he", WarrantyState.extended): (
        "התיקון כוסה במסגרת האחריות המורחבת שלך (בתוקף עד {until}), ללא עלות."
    ),
    ("he", WarrantyState.expired): (
        "האחריות על המכשיר הסתיימה ב-{until}, ולכן התיקון חויב לפי המחירון (עבודה וחלקים)."
    ),
    ("en", WarrantyState.active): (
        "The repair was covered by the warranty (valid until {until}) at no charge."
    ),
    ("en", WarrantyState.extended): (
        "The repair was covered by your extended warranty (valid until {until}) at no charge."
    ),
    ("en", WarrantyState.expired): (
        "The warranty ended on {until}, so the repair was charged at list price (labour and parts)."
    ),
}

# How a phone call and a text message read once they reach the desk.
VOICE_PREFIX = {"he": "שיחה נכנסת – תמלול:\n", "en": "Inbound call – transcript:\n"}
SMS_TAIL = {
    "he": ("אפשר שיחזרו אליי?", "תחזרו אליי בבקשה.", "תודה."),
    "en": ("Please call me back.", "Can someone call me?", "Thanks."),
}
IOT = {
    "he": (
        "התראה אוטומטית: תקלה {code} ב-{model}",
        "התראה אוטומטית מהמכשיר {serial} ({model}): קוד תקלה {code} – {fault}. "
        "המכשיר דיווח על התקלה שלוש פעמים בשעה האחרונה. הלקוח טרם פנה.",
    ),
    "en": (
        "Automatic alert: fault {code} on {model}",
        "Automatic alert from unit {serial} ({model}): fault code {code} – {fault}, reported "
        "three times in the last hour. The customer has not contacted us yet.",
    ),
}
# Fault codes connected units report, with what they mean in Hebrew and English.
IOT_CODES = {
    "refrigerator": (
        ("E4", "לחץ גבוה במדחס", "compressor high pressure"),
        ("T2", "טמפרטורה בתא המקרר מעל 10 מעלות", "fridge compartment above 10°C"),
    ),
    "air-conditioner": (
        ("E4", "חוסר בגז קירור", "refrigerant low"),
        ("P4", "תקלה במאוורר היחידה החיצונית", "outdoor fan fault"),
    ),
    "washing-machine": (
        ("E21", "הניקוז לא הסתיים בזמן", "drain timeout"),
        ("E20", "משאבת הניקוז לא שואבת", "drain pump not pumping"),
    ),
}
