"""Electronics faults: laptops, phones, TVs, tablets and headphones."""

from __future__ import annotations

from servicedesk.demo.scenarios.base import Scenario, Script, cats
from servicedesk.enums import Priority

LAPTOP_BOOT = Scenario(
    "laptop-boot",
    cats("laptop"),
    Priority.high,
    he=Script(
        subjects=("המחשב הנייד לא עולה אחרי עדכון", "הלפטופ נתקע על הלוגו", "מחשב לא נדלק"),
        bodies=(
            "אחרי עדכון אתמול בלילה המחשב ({model}) נתקע על מסך הלוגו ולא עולה. יש לי עבודות "
            "להגשה השבוע והכל עליו. מספר סידורי {serial}.",
            "המחשב הנייד לא נדלק בכלל. נורית הטעינה דולקת, אבל המסך שחור. ניסיתי מטען אחר.",
        ),
        ask=(
            "נסו בבקשה: נתקו את המטען, החזיקו את כפתור ההפעלה 30 שניות, חברו שוב והדליקו. "
            "אם זה לא עוזר – האם שומעים את המאוורר או רואים תאורה במקלדת?"
        ),
        fix=("במעבדה שחזרו את קושחת ה-BIOS והמחשב עולה כרגיל. הקבצים שלך לא נפגעו. {warranty}"),
        note="נראה כמו עדכון BIOS שנקטע. אם הלקוח לא מצליח לשחזר – איסוף למעבדה, לגבות קבצים.",
    ),
    en=Script(
        subjects=("Laptop won't boot after update", "Laptop stuck on the logo", "Laptop dead"),
        bodies=(
            "After an update last night the laptop ({model}) is stuck on the logo screen and "
            "won't start. I have assignments due this week and everything is on it. Serial "
            "{serial}.",
            "The laptop doesn't turn on at all. The charging light is on but the screen stays "
            "black. I tried another charger.",
        ),
        ask=(
            "Please try this: unplug the charger, hold the power button for 30 seconds, plug "
            "it back in and switch on. If that doesn't help – can you hear the fan or see the "
            "keyboard backlight?"
        ),
        fix=(
            "The lab restored the BIOS firmware and the laptop boots normally. Your files are "
            "intact. {warranty}"
        ),
        note="Looks like an interrupted BIOS update. If recovery fails – collect to the lab.",
    ),
    weight=4,
)

LAPTOP_BATTERY = Scenario(
    "laptop-battery",
    cats("laptop"),
    Priority.normal,
    he=Script(
        subjects=("הסוללה של הלפטופ מתרוקנת תוך שעה", "בעיית סוללה במחשב הנייד"),
        bodies=(
            "כשקניתי את המחשב ({model}) הסוללה החזיקה יום עבודה. עכשיו היא מתרוקנת תוך שעה, "
            "גם בלי תוכנות כבדות.",
        ),
        ask="אפשר להריץ את בדיקת הסוללה מהתפריט (Orbix Care ← סוללה) ולשלוח צילום מסך של התוצאה?",
        fix="בריאות הסוללה ירדה ל-61%, מתחת לסף האחריות. הסוללה הוחלפה. {warranty}",
        note="מתחת ל-80% בתוך האחריות – מחליפים סוללה.",
    ),
    en=Script(
        subjects=("Laptop battery drains within an hour", "Battery problem on my laptop"),
        bodies=(
            "When I bought the laptop ({model}) the battery lasted a working day. Now it's "
            "empty within an hour, even without heavy apps.",
        ),
        ask=(
            "Could you run the battery check (Orbix Care → Battery) and send us a screenshot "
            "of the result?"
        ),
        fix=(
            "Battery health was down to 61%, below the warranty threshold, so the battery was "
            "replaced. {warranty}"
        ),
        note="Below 80% within warranty – replace the battery.",
    ),
)

LAPTOP_KEYBOARD = Scenario(
    "laptop-keyboard",
    cats("laptop"),
    Priority.low,
    he=Script(
        subjects=("האותיות בעברית על המקלדת נמחקות", "מקשים לא מגיבים במקלדת"),
        bodies=(
            "אחרי כמה חודשים האותיות בעברית על המקלדת ({model}) כמעט לא נראות, ומקש הרווח "
            "לפעמים לא מגיב.",
        ),
        ask="אפשר תמונה של המקלדת? ונבדוק אם מקש הרווח לא מגיב גם במקלדת חיצונית.",
        fix="המקלדת הוחלפה במקלדת חדשה עם הדפסה בלייזר שלא נמחקת. {warranty}",
        note="הדפסה נמחקת – תקלה ידועה בסדרה הראשונה. החלפת מקלדת.",
    ),
    en=Script(
        subjects=("Hebrew letters on the keyboard are fading", "Keys not responding"),
        bodies=(
            "After a few months the Hebrew letters on the keyboard ({model}) are almost gone, "
            "and the space bar sometimes doesn't respond.",
        ),
        ask="Could you send a photo of the keyboard? Does the space bar work on an external one?",
        fix="The keyboard was replaced with a laser-etched one that won't fade. {warranty}",
        note="Fading print – known issue in the first batch. Replace the keyboard.",
    ),
    weight=1,
)

PHONE_SCREEN = Scenario(
    "phone-screen",
    cats("phone"),
    Priority.normal,
    he=Script(
        subjects=("מסך סדוק – כמה עולה תיקון?", "נפל לי הטלפון והמסך נסדק"),
        bodies=(
            "הטלפון ({model}) נפל והמסך נסדק בפינה. המגע עדיין עובד חלקית. כמה עולה החלפת מסך "
            "וכמה זמן זה לוקח?",
        ),
        ask="האם יש לכם כיסוי ביטוחי למכשיר? אם כן, נשמח למספר הפוליסה.",
        fix=(
            "נזק פיזי אינו מכוסה באחריות. החלפת המסך עולה {amount} ₪ ונמשכת יומיים עסקים. "
            "המכשיר תוקן ונשלח אליך עם שליח."
        ),
        note="נזק פיזי – לא באחריות. לתת הצעת מחיר ולהציע איסוף.",
    ),
    en=Script(
        subjects=("Cracked screen – how much is a repair?", "Dropped my phone, screen cracked"),
        bodies=(
            "My phone ({model}) fell and the screen cracked in one corner. Touch still partly "
            "works. How much is a screen replacement and how long does it take?",
        ),
        ask="Do you have insurance on the device? If so, please send the policy number.",
        fix=(
            "Physical damage isn't covered by the warranty. A screen replacement is ₪{amount} "
            "and takes two business days. The phone has been repaired and sent back by courier."
        ),
        note="Physical damage – not under warranty. Quote and offer a pick-up.",
    ),
    weight=3,
)

PHONE_CHARGE = Scenario(
    "phone-charge",
    cats("phone"),
    Priority.normal,
    he=Script(
        subjects=("הטלפון לא נטען", "הטעינה מתנתקת כל הזמן"),
        bodies=(
            "הטלפון ({model}) נטען רק אם מחזיקים את הכבל בזווית מסוימת. ניסיתי שני כבלים "
            "ומטען אחר.",
        ),
        ask="אפשר להאיר עם פנס לתוך שקע הטעינה ולבדוק אם יש שם מוך או לכלוך?",
        fix=(
            "במעבדה ניקו את שקע הטעינה (היה בו מוך מהכיס) ובדקו אותו – הטעינה תקינה. לא נדרש תיקון."
        ),
        note="לרוב מוך בשקע. אם השקע רופף – החלפת שקע באחריות.",
    ),
    en=Script(
        subjects=("Phone won't charge", "Charging keeps disconnecting"),
        bodies=(
            "The phone ({model}) only charges if I hold the cable at a certain angle. I tried "
            "two cables and another charger.",
        ),
        ask="Could you shine a torch into the charging port and see if there's lint or dirt?",
        fix=(
            "The lab cleaned the charging port (pocket lint) and tested it – charging works "
            "normally. No repair was needed."
        ),
        note="Usually lint. If the port is loose – replace under warranty.",
    ),
)

TV_NO_PICTURE = Scenario(
    "tv-no-picture",
    cats("television"),
    Priority.high,
    he=Script(
        subjects=("יש סאונד אבל אין תמונה בטלוויזיה", "מסך שחור בטלוויזיה"),
        bodies=(
            "הטלוויזיה ({model}) נדלקת, יש קול, אבל המסך שחור. כשמאירים עם פנס קרוב למסך רואים "
            "תמונה חלשה מאוד. מספר סידורי {serial}.",
        ),
        ask="זה מאשר את מה שחשבנו. באיזו קומה הדירה ויש מעלית? נצטרך להוציא את הטלוויזיה למעבדה.",
        fix="במעבדה הוחלפו פסי התאורה האחורית (LED) והטלוויזיה הוחזרה ונבדקה אצלכם. {warranty}",
        note="תאורה אחורית – החלפת פסי LED. מעל 55 אינץ׳ צריך שני טכנאים לאיסוף.",
    ),
    en=Script(
        subjects=("TV has sound but no picture", "Black screen on the TV"),
        bodies=(
            "The TV ({model}) turns on and there is sound, but the screen is black. Shining a "
            "torch close to the screen shows a very faint picture. Serial {serial}.",
        ),
        ask=(
            "That confirms what we suspected. Which floor are you on, and is there a lift? "
            "We will need to take the TV to the lab."
        ),
        fix=(
            "The lab replaced the LED backlight strips and the TV was returned and tested at "
            "your home. {warranty}"
        ),
        note="Backlight – replace the LED strips. Over 55 inches needs two technicians.",
    ),
    weight=3,
)

TV_WIFI = Scenario(
    "tv-wifi",
    cats("television"),
    Priority.low,
    he=Script(
        subjects=("הטלוויזיה לא מתחברת ל-Wi-Fi", "האפליקציות בטלוויזיה נתקעות"),
        bodies=(
            "הטלוויזיה ({model}) מתנתקת מהרשת כל ערב, ונטפליקס ו-YES+ נתקעים באמצע. שאר "
            "המכשירים בבית מחוברים בלי בעיה.",
        ),
        ask="באיזו גרסת תוכנה הטלוויזיה (הגדרות ← אודות)? והאם הנתב מפריד בין 2.4 ל-5 GHz?",
        fix=(
            "אחרי עדכון התוכנה לגרסה 6.3 וחיבור לרשת 5 GHz החיבור יציב. אם זה חוזר, אפשר לחבר "
            "כבל רשת ישירות לנתב."
        ),
        note="באג ידוע בגרסה 6.1 עם נתבים מסוימים – לעדכן.",
    ),
    en=Script(
        subjects=("TV won't stay on Wi-Fi", "Apps on the TV keep freezing"),
        bodies=(
            "The TV ({model}) drops off the network every evening and Netflix freezes midway. "
            "Everything else at home stays connected.",
        ),
        ask=(
            "Which software version does the TV show (Settings → About)? And does your router "
            "separate 2.4 and 5 GHz?"
        ),
        fix=(
            "After updating to software 6.3 and joining the 5 GHz network the connection is "
            "stable. If it recurs, a network cable straight to the router will help."
        ),
        note="Known bug in 6.1 with some routers – update.",
    ),
    repair=False,
)

HEADPHONES = Scenario(
    "headphones-pair",
    cats("headphones"),
    Priority.low,
    he=Script(
        subjects=("האוזניות לא מתחברות בבלוטות׳", "אוזנייה אחת לא משמיעה"),
        bodies=(
            "האוזניות ({model}) הפסיקו להתחבר לטלפון. הן מופיעות ברשימה אבל החיבור נכשל, "
            "ולפעמים רק צד אחד עובד.",
        ),
        ask="ניסיתם למחוק אותן מרשימת הבלוטות׳ בטלפון ולאפס (לחיצה של 10 שניות עד הבהוב סגול)?",
        fix="אחרי איפוס ועדכון קושחה דרך האפליקציה שני הצדדים עובדים. לא נדרש תיקון.",
        note="לרוב איפוס פותר. אם צד אחד מת – החלפה באחריות.",
    ),
    en=Script(
        subjects=("Headphones won't pair over Bluetooth", "One earbud is silent"),
        bodies=(
            "The headphones ({model}) stopped connecting to my phone. They show in the list but "
            "pairing fails, and sometimes only one side plays.",
        ),
        ask=(
            "Have you tried removing them from the phone's Bluetooth list and resetting them "
            "(hold for 10 seconds until they flash purple)?"
        ),
        fix="After a reset and a firmware update in the app both sides work. No repair needed.",
        note="Usually fixed by a reset. If one side is dead – replace under warranty.",
    ),
    repair=False,
)

TABLET_TOUCH = Scenario(
    "tablet-touch",
    cats("tablet"),
    Priority.normal,
    he=Script(
        subjects=("מסך המגע בטאבלט לא מגיב בחלק העליון",),
        bodies=(
            "בטאבלט ({model}) הפס העליון של המסך לא מגיב למגע, אי אפשר לפתוח את התפריט. "
            "הוא לא נפל.",
        ),
        ask="האם זה קורה גם במצב בטוח (לחיצה ארוכה על ׳כיבוי׳ ← ׳מצב בטוח׳)?",
        fix="במעבדה הוחלף רכיב המגע. הטאבלט נבדק ומגיב בכל שטח המסך. {warranty}",
        note="אם גם במצב בטוח – חומרה. למעבדה.",
    ),
    en=Script(
        subjects=("Top of the tablet touchscreen doesn't respond",),
        bodies=(
            "On the tablet ({model}) the top strip of the screen doesn't respond to touch, so I "
            "can't open the menu. It hasn't been dropped.",
        ),
        ask="Does it happen in safe mode too (long-press Power → Safe mode)?",
        fix="The lab replaced the digitiser; the whole screen responds again. {warranty}",
        note="If it happens in safe mode – hardware. To the lab.",
    ),
    weight=1,
)

SCENARIOS = (
    LAPTOP_BOOT,
    LAPTOP_BATTERY,
    LAPTOP_KEYBOARD,
    PHONE_SCREEN,
    PHONE_CHARGE,
    TV_NO_PICTURE,
    TV_WIFI,
    HEADPHONES,
    TABLET_TOUCH,
)
