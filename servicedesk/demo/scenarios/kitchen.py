"""Kitchen appliances: fridges, dishwashers, ovens and microwaves."""

from __future__ import annotations

from servicedesk.demo.scenarios.base import Scenario, Script, cats
from servicedesk.enums import Priority

FRIDGE_WARM = Scenario(
    "fridge-warm",
    cats("refrigerator"),
    Priority.high,
    he=Script(
        subjects=(
            "המקרר הפסיק לקרר",
            "המקרר לא מקרר – המקפיא עובד",
            "דחוף: המקרר חם והאוכל מתקלקל",
        ),
        bodies=(
            "מאתמול בערב המקרר ({model}) לא מקרר. המקפיא עדיין קופא, אבל בתא המקרר יש כבר 14 "
            "מעלות. שומעים את המדחס נדלק ונכבה כל כמה דקות. מספר סידורי {serial}.\n"
            "אפשר טכנאי בהקדם? יש לנו ילדים קטנים בבית.",
            "המקרר שקנינו אצלכם ({model}) לא מקרר כבר יומיים. ניתקנו מהחשמל לחצי שעה והחזרנו – "
            "לא עזר. יש הצטברות קרח על הדופן האחורית של המקפיא. מה עושים?",
        ),
        ask=(
            "מצטערים לשמוע. כדי שהטכנאי יגיע עם החלק הנכון, נשמח אם תשלחו תמונה של מדבקת הדגם "
            "(בתוך המקרר, על הדופן השמאלית) ותבדקו אם המאוורר בחלק האחורי של המקפיא מסתובב "
            "כשהדלת סגורה."
        ),
        fix=(
            "הטכנאי החליף את חיישן ההפשרה ואת מאוורר המאייד, והמקרר חזר לקרר כרגיל (4 מעלות "
            "אחרי שלוש שעות). {warranty}\nאם הבעיה חוזרת, פשוט השיבו להודעה הזו."
        ),
        note=(
            "קירור חלש בתא המקרר בלבד וקרח על הדופן האחורית של המקפיא – כנראה חיישן הפשרה או "
            "מאוורר מאייד. לבקש מהטכנאי לקחת את שני החלקים."
        ),
    ),
    en=Script(
        subjects=(
            "Fridge stopped cooling",
            "Fridge is warm but the freezer still works",
            "Urgent: fridge warm, food going off",
        ),
        bodies=(
            "Since last night our fridge ({model}) isn't cooling. The freezer is still frozen "
            "but the fridge compartment is at 14°C. The compressor clicks on and off every few "
            "minutes. Serial {serial}.\nCould you send a technician as soon as possible? We "
            "have small kids at home.",
            "The fridge we bought from you ({model}) hasn't been cooling for two days. We "
            "unplugged it for half an hour and plugged it back in, no change. There is ice "
            "building up on the back wall of the freezer. What should we do?",
        ),
        ask=(
            "Sorry to hear that. So that the technician arrives with the right part, could you "
            "send a photo of the model label (inside the fridge, on the left wall) and check "
            "whether the fan at the back of the freezer spins when the door is closed?"
        ),
        fix=(
            "The technician replaced the defrost sensor and the evaporator fan, and the fridge "
            "is cooling normally again (4°C after three hours). {warranty}\nIf it happens "
            "again, just reply to this message."
        ),
        note=(
            "Weak cooling in the fridge compartment only, ice on the freezer's back wall – "
            "likely the defrost sensor or evaporator fan. Ask the technician to bring both."
        ),
    ),
    weight=5,
)


FRIDGE_NOISE = Scenario(
    "fridge-noise",
    cats("refrigerator"),
    Priority.low,
    he=Script(
        subjects=("רעש חזק מהמקרר בלילה", "המקרר מזמזם ומרעיד"),
        bodies=(
            "בימים האחרונים המקרר ({model}) משמיע זמזום חזק, בעיקר בלילה. הוא מקרר טוב, אבל "
            "הרעש מעיר אותנו. זה תקין?",
        ),
        ask=(
            "כדי להבין מאיפה הרעש: האם הוא מגיע מהחלק האחורי התחתון (המדחס) או מתוך המקפיא? "
            "אם אפשר, שלחו לנו סרטון קצר."
        ),
        fix=(
            "לפי הסרטון, הרעש נגרם מצינור שנגע בדופן האחורית. אחרי שהרחקתם את המקרר 5 ס״מ מהקיר "
            "ויישרתם את הרגליות הרעש אמור להיעלם. אם לא – נשלח טכנאי."
        ),
        note="נשמע כמו רעידות ולא תקלה. אם הלקוח מבקש – ביקור טכנאי רגיל, לא דחוף.",
    ),
    en=Script(
        subjects=("Loud noise from the fridge at night", "Fridge humming and vibrating"),
        bodies=(
            "For the past few days the fridge ({model}) has been humming loudly, especially at "
            "night. It cools fine, but the noise wakes us up. Is this normal?",
        ),
        ask=(
            "To find the source: does the noise come from the lower back (the compressor) or "
            "from inside the freezer? If you can, send us a short video."
        ),
        fix=(
            "From the video, a pipe was touching the back panel. With the fridge moved 5 cm "
            "from the wall and the feet levelled the noise should be gone. If not, we will send "
            "a technician."
        ),
        note="Sounds like vibration, not a fault. If the customer insists – a normal visit.",
    ),
)


DISHWASHER_WATER = Scenario(
    "dishwasher-water",
    cats("dishwasher"),
    Priority.normal,
    he=Script(
        subjects=("נשארים מים בתחתית המדיח", "המדיח לא מנקז ולא מייבש"),
        bodies=(
            "בסוף כל הדחה נשארים מים בתחתית המדיח ({model}) והכלים יוצאים עם שאריות. קנינו אותו "
            "לפני פחות משנה.",
        ),
        ask="אפשר לבדוק את המסננים בתחתית המדיח ולשלוח תמונה? לפעמים שאריות מזון חוסמות את הניקוז.",
        fix=(
            "אחרי ניקוי המסנן וצינור הניקוז המדיח עובד כרגיל. מומלץ לשטוף את המסננים פעם בשבוע "
            "ולהפעיל תוכנית ניקוי עם מנקה מדיחים פעם בחודש."
        ),
        note="ככל הנראה מסנן סתום. אם לא – משאבת ניקוז.",
    ),
    en=Script(
        subjects=("Water left at the bottom of the dishwasher", "Dishwasher not draining"),
        bodies=(
            "At the end of every cycle there is water at the bottom of the dishwasher ({model}) "
            "and the dishes come out with bits on them. We bought it less than a year ago.",
        ),
        ask=(
            "Could you check the filters at the bottom of the dishwasher and send us a photo? "
            "Food remains often block the drain."
        ),
        fix=(
            "After cleaning the filter and the drain hose the dishwasher works normally. Rinse "
            "the filters weekly and run a cleaning cycle with dishwasher cleaner monthly."
        ),
        note="Most likely a blocked filter; otherwise the drain pump.",
    ),
    repair=False,
)


OVEN_HEAT = Scenario(
    "oven-heat",
    cats("oven"),
    Priority.normal,
    he=Script(
        subjects=("התנור לא מגיע לטמפרטורה", "התנור מחמם רק מלמטה"),
        bodies=(
            "התנור ({model}) לא מגיע ליותר מ-150 מעלות, גם כשאני מכוון ל-220. העוגות יוצאות לא "
            "אפויות. מספר סידורי {serial}.",
        ),
        ask="האם המאוורר בגב התנור מסתובב בתוכנית טורבו? והאם גוף החימום העליון מאדים?",
        fix="הטכנאי החליף את גוף החימום העליון ואת התרמוסטט. התנור מגיע ל-220 מעלות. {warranty}",
        note="גוף חימום עליון או תרמוסטט – להזמין את שניהם לדגם.",
    ),
    en=Script(
        subjects=("Oven doesn't reach temperature", "Oven only heats from below"),
        bodies=(
            "The oven ({model}) never goes above 150°C even when set to 220. Cakes come out "
            "underbaked. Serial {serial}.",
        ),
        ask=(
            "Does the fan at the back turn in fan-assisted mode? And does the top element glow red?"
        ),
        fix=(
            "The technician replaced the top heating element and the thermostat. The oven "
            "reaches 220°C again. {warranty}"
        ),
        note="Top element or thermostat – order both for this model.",
    ),
)


OVEN_SHABBAT = Scenario(
    "oven-shabbat",
    cats("oven"),
    Priority.low,
    he=Script(
        subjects=("איך מפעילים מצב שבת בתנור?", "מצב שבת – התנור נכבה אחרי 12 שעות"),
        bodies=(
            "קנינו את התנור ({model}) ולא מצאנו בחוברת איך מפעילים מצב שבת. בשבת שעברה הוא נכבה "
            "בלילה. אפשר הסבר?",
        ),
        ask="באיזו גרסת תוכנה התנור? היא מופיעה בתפריט ׳הגדרות׳ ← ׳מידע׳ (למשל 2.14).",
        fix=(
            "כדי להפעיל מצב שבת: בחרו תוכנית וטמפרטורה, ואז לחצו יחד על ׳אור׳ ו׳שעון׳ במשך 3 "
            "שניות עד שמופיע Sb. בגרסה שלכם המצב פעיל עד 72 שעות, והתאורה והתצוגה לא משתנות "
            "בפתיחת הדלת."
        ),
        note="שאלת תפעול בלבד. גרסאות ישנות מ-2.10 מכבות אחרי 12 שעות – אז לתאם עדכון תוכנה.",
    ),
    en=Script(
        subjects=("How do I turn on Sabbath mode on the oven?", "Sabbath mode switches off"),
        bodies=(
            "We bought the oven ({model}) and couldn't find in the manual how to turn on "
            "Sabbath mode. Last Shabbat it switched itself off during the night.",
        ),
        ask=(
            "Which software version does the oven show? It is under Settings → Info (for "
            "example 2.14)."
        ),
        fix=(
            "To turn on Sabbath mode: choose a programme and temperature, then hold 'Light' and "
            "'Clock' together for 3 seconds until Sb appears. On your version it lasts up to 72 "
            "hours, and the light and display don't change when the door opens."
        ),
        note="How-to only. Versions before 2.10 stop after 12 hours – book a software update.",
    ),
    repair=False,
    weight=1,
)


MICROWAVE_COLD = Scenario(
    "microwave-cold",
    cats("microwave"),
    Priority.normal,
    he=Script(
        subjects=("המיקרוגל עובד אבל לא מחמם",),
        bodies=("המיקרוגל ({model}) מסתובב ומאיר, אבל האוכל נשאר קר. הכל נשמע רגיל.",),
        ask="אפשר לבדוק שהדלת נסגרת עד הסוף והאם שומעים זמזום עמוק בזמן הפעולה?",
        fix="המגנטרון הוחלף במעבדה והמיקרוגל מחמם כרגיל. {warranty}",
        note="כנראה מגנטרון. לא לפתוח אצל הלקוח – מתח גבוה. לאסוף למעבדה.",
    ),
    en=Script(
        subjects=("Microwave runs but doesn't heat",),
        bodies=("The microwave ({model}) turns and lights up, but the food stays cold.",),
        ask="Could you check the door closes fully, and whether you hear a deep hum while it runs?",
        fix="The magnetron was replaced at the lab and the microwave heats normally. {warranty}",
        note="Likely the magnetron. Never open on site – high voltage. Collect to the lab.",
    ),
    weight=1,
)

SCENARIOS = (
    FRIDGE_WARM,
    FRIDGE_NOISE,
    DISHWASHER_WATER,
    OVEN_HEAT,
    OVEN_SHABBAT,
    MICROWAVE_COLD,
)
