"""Questions that are not faults: invoices, deliveries, returns, warranty extensions."""

from __future__ import annotations

from servicedesk.demo.catalog import PRODUCTS
from servicedesk.demo.scenarios.base import Scenario, Script, cats
from servicedesk.enums import Priority

EVERY_CATEGORY = frozenset(p.category for p in PRODUCTS)
APPLIANCE_CATEGORIES = frozenset(p.category for p in PRODUCTS if p.line == "appliances")

DOUBLE_CHARGE = Scenario(
    "double-charge",
    cats(),
    Priority.normal,
    he=Script(
        subjects=("חויבתי פעמיים על אותה הזמנה", "שאלה לגבי חשבונית", "חיוב כפול בכרטיס האשראי"),
        bodies=(
            "בפירוט כרטיס האשראי מופיעים שני חיובים של {amount} ₪ על הזמנה {order}. הזמנתי "
            "פעם אחת בלבד. אבקש לבטל את החיוב הכפול.",
        ),
        ask="כדי שנאתר את החיוב: אפשר את ארבע הספרות האחרונות של הכרטיס ותאריך החיוב?",
        fix=(
            "בדקנו ואכן בוצע חיוב כפול. זיכוי של {amount} ₪ יצא היום ויופיע בכרטיס תוך 5–7 ימי "
            "עסקים. מתנצלים על אי הנוחות."
        ),
        note="חיוב כפול מול חברת הסליקה – לבדוק באתר הסליקה לפני זיכוי.",
    ),
    en=Script(
        subjects=("Charged twice for the same order", "Invoice question", "Double card charge"),
        bodies=(
            "My card statement shows two charges of ₪{amount} for order {order}. I only "
            "ordered once. Please cancel the duplicate.",
        ),
        ask="So we can find the charge: what are the card's last four digits and the charge date?",
        fix=(
            "We checked and you were indeed charged twice. A refund of ₪{amount} was issued "
            "today and will show on your card within 5–7 business days. Sorry for the trouble."
        ),
        note="Duplicate charge at the acquirer – check the acquirer portal before refunding.",
    ),
    repair=False,
    billing=True,
    weight=4,
)

TAX_INVOICE = Scenario(
    "tax-invoice",
    cats(),
    Priority.low,
    he=Script(
        subjects=("בקשה לחשבונית מס על שם החברה", "צריך העתק חשבונית"),
        bodies=(
            "קנינו אצלכם בהזמנה {order} ואנחנו צריכים חשבונית מס על שם החברה עם מספר ח.פ. לצורך "
            "הנהלת החשבונות.",
        ),
        ask="אפשר את שם החברה המלא ומספר ח.פ. כפי שיופיעו בחשבונית?",
        fix="חשבונית מס מתוקנת על שם החברה נשלחה לכתובת הדוא״ל שלך.",
        note="חשבונית על שם חברה – רק אחרי קבלת ח.פ. בכתב.",
    ),
    en=Script(
        subjects=("Tax invoice in the company's name", "Need a copy of my invoice"),
        bodies=(
            "We bought from you under order {order} and need a tax invoice in the company's "
            "name with our company number, for the accountants.",
        ),
        ask="Could you send the full company name and company number as they should appear?",
        fix="A corrected tax invoice in the company's name has been sent to your e-mail.",
        note="Company invoices only after the company number is confirmed in writing.",
    ),
    repair=False,
    billing=True,
)

DELIVERY = Scenario(
    "delivery",
    cats(),
    Priority.normal,
    he=Script(
        subjects=("מתי יגיע המשלוח?", "ההזמנה שלי מתעכבת", "עדיין לא קיבלתי את ההזמנה"),
        bodies=(
            "הזמנתי לפני עשרה ימים (הזמנה {order}) ואמרו לי שהמשלוח יגיע תוך 5 ימי עסקים. אף "
            "אחד לא התקשר לתאם. מה קורה?",
        ),
        ask="לאיזו כתובת ההזמנה, ויש מספר טלפון נוסף שאפשר לתאם דרכו?",
        fix="המשלוח תואם ויגיע ב-{date} בין 8:00 ל-12:00. השליח יתקשר לפני ההגעה.",
        note="עיכוב אצל חברת ההפצה באזור. עדכנתי את המוקד שלהם.",
    ),
    en=Script(
        subjects=("When will my delivery arrive?", "My order is delayed", "Order not received"),
        bodies=(
            "I ordered ten days ago (order {order}) and was told delivery takes 5 business "
            "days. Nobody has called to schedule it. What's going on?",
        ),
        ask="What's the delivery address, and is there another number we can call?",
        fix=(
            "Delivery is booked for {date} between 8:00 and 12:00. The driver will call before "
            "arriving."
        ),
        note="Delay at the delivery company in this area; I've updated their desk.",
    ),
    repair=False,
    billing=True,
    weight=4,
)

CANCEL_DEAL = Scenario(
    "cancel-deal",
    cats(),
    Priority.normal,
    he=Script(
        subjects=("ביטול עסקה והחזרת מוצר", "רוצה לבטל את ההזמנה"),
        bodies=(
            "קיבלתי את המוצר לפני שלושה ימים (הזמנה {order}) והוא לא מתאים לנו. האריזה סגורה. "
            "איך מבטלים ומקבלים החזר?",
        ),
        ask="המוצר באריזה המקורית? נצטרך גם את מספר החשבונית.",
        fix=(
            "העסקה בוטלה לפי חוק הגנת הצרכן. השליח יאסוף את המוצר, וההחזר בסך {amount} ₪ בניכוי "
            "דמי ביטול של 5% יופיע בכרטיס תוך 14 יום."
        ),
        note="ביטול תוך 14 יום – דמי ביטול 5% או 100 ₪, הנמוך מביניהם.",
    ),
    en=Script(
        subjects=("Cancelling my order and returning the product", "I want to cancel my order"),
        bodies=(
            "I received the product three days ago (order {order}) and it doesn't suit us. The "
            "box is unopened. How do I cancel and get a refund?",
        ),
        ask="Is it in the original packaging? We'll also need the invoice number.",
        fix=(
            "The order is cancelled under the Consumer Protection Law. A courier will collect "
            "the product, and the refund of ₪{amount} less the 5% cancellation fee will reach "
            "your card within 14 days."
        ),
        note="Cancellation within 14 days – fee is 5% or ₪100, whichever is lower.",
    ),
    repair=False,
    billing=True,
)

EXTEND_WARRANTY = Scenario(
    "extend-warranty",
    EVERY_CATEGORY,
    Priority.low,
    he=Script(
        subjects=("הרחבת אחריות ל-{model}", "כמה עולה אחריות מורחבת?"),
        bodies=(
            "האחריות על ה-{model} (מס׳ סידורי {serial}) מסתיימת בקרוב. אפשר להאריך אותה? כמה "
            "זה עולה?",
        ),
        ask="כדי להציע הרחבה נצטרך לוודא שהמכשיר תקין – היו תקלות בחצי השנה האחרונה?",
        fix=(
            "אפשר להאריך את האחריות ב-24 חודשים נוספים בעלות של {amount} ₪, כולל ביקורי טכנאי "
            "וחלקים. שלחנו קישור לתשלום בדוא״ל."
        ),
        note="הרחבה רק לפני תום האחריות או עד 30 יום אחריה.",
    ),
    en=Script(
        subjects=("Extending the warranty on my {model}", "How much is an extended warranty?"),
        bodies=(
            "The warranty on my {model} (serial {serial}) ends soon. Can I extend it, and how "
            "much does it cost?",
        ),
        ask="An extension needs a healthy unit – any faults in the last six months?",
        fix=(
            "You can extend the warranty by 24 months for ₪{amount}, covering technician visits "
            "and parts. We've e-mailed you a payment link."
        ),
        note="Extensions only before the warranty ends or within 30 days after.",
    ),
    repair=False,
    billing=True,
    weight=1,
)

RESCHEDULE = Scenario(
    "reschedule",
    APPLIANCE_CATEGORIES,
    Priority.low,
    he=Script(
        subjects=("דחיית ביקור טכנאי", "לא אהיה בבית – אפשר להזיז את הטכנאי?"),
        bodies=(
            "נקבע לי ביקור טכנאי ל-{model} מחר בבוקר, אבל לא אוכל להיות בבית. אפשר להעביר "
            "לשבוע הבא, עדיף אחר הצהריים?",
        ),
        ask="אפשר יום ראשון או שלישי בין 12:00 ל-16:00. מה מתאים?",
        fix="הביקור הועבר ל-{date} בין 12:00 ל-16:00. הטכנאי יתקשר לפני ההגעה.",
        note="לעדכן את סידור העבודה של טכנאי האזור.",
    ),
    en=Script(
        subjects=("Rescheduling the technician visit", "Can we move the technician?"),
        bodies=(
            "A technician is booked for my {model} tomorrow morning, but I can't be home. Could "
            "we move it to next week, afternoon preferred?",
        ),
        ask="We can do Sunday or Tuesday between 12:00 and 16:00. Which suits you?",
        fix="The visit is moved to {date} between 12:00 and 16:00. The technician will call first.",
        note="Update the area technician's schedule.",
    ),
    repair=False,
    weight=1,
)

SCENARIOS = (DOUBLE_CHARGE, TAX_INVOICE, DELIVERY, CANCEL_DEAL, EXTEND_WARRANTY, RESCHEDULE)
