"""Laundry, air conditioning and cleaning: washers, dryers, ACs, robot vacuums."""

from __future__ import annotations

from servicedesk.demo.scenarios.base import Scenario, Script, cats
from servicedesk.enums import Priority

WASHER_LEAK = Scenario(
    "washer-leak",
    cats("washing-machine"),
    Priority.high,
    he=Script(
        subjects=("מכונת הכביסה נוזלת מלמטה", "נזילת מים ממכונת הכביסה", "שלולית מים מתחת למכונה"),
        bodies=(
            "בכל כביסה יוצאת שלולית מים מתחת למכונה ({model}). זה התחיל לפני שבוע ועכשיו זה "
            "כבר הרבה מים. בדקתי את הצינור מאחור והוא מחובר טוב. מספר סידורי {serial}.",
            "המכונה נוזלת בזמן הסחיטה, הרצפה באמבטיה מוצפת. הפסקתי להשתמש בה. מתי אפשר טכנאי?",
        ),
        ask=(
            "תודה על הפנייה. כדי לאתר את מקור הנזילה: האם המים מופיעים כבר בזמן המילוי, או רק "
            "בזמן הסחיטה? אם אפשר, צלמו את מגירת האבקה ואת גומיית הדלת."
        ),
        fix="הטכנאי מצא קרע קטן בגומיית הדלת והחליף אותה. כביסת הניסיון עברה ללא נזילה. {warranty}",
        note="נזילה בזמן סחיטה – חשד לגומיית דלת או למשאבת ניקוז. לבקש מהטכנאי לקחת גומייה לדגם.",
    ),
    en=Script(
        subjects=(
            "Washing machine leaking from underneath",
            "Water leak from the washer",
            "Puddle under the washing machine",
        ),
        bodies=(
            "Every wash leaves a puddle under the machine ({model}). It started a week ago and "
            "now it's a lot of water. I checked the hose at the back and it's tight. Serial "
            "{serial}.",
            "The machine leaks during the spin cycle and floods the bathroom floor. I've "
            "stopped using it. When can a technician come?",
        ),
        ask=(
            "Thanks for getting in touch. To find the leak: does water appear while the machine "
            "is filling, or only while spinning? If you can, send a photo of the detergent "
            "drawer and the door seal."
        ),
        fix=(
            "The technician found a small tear in the door seal and replaced it. The test wash "
            "ran without a leak. {warranty}"
        ),
        note="Leaks while spinning – door seal or drain pump. Ask the technician to bring a seal.",
    ),
    weight=4,
)


WASHER_DRAIN = Scenario(
    "washer-drain",
    cats("washing-machine"),
    Priority.normal,
    he=Script(
        subjects=("מכונת הכביסה לא מנקזת – שגיאה {code}", "שגיאה {code} באמצע התוכנית"),
        bodies=(
            "מכונת הכביסה ({model}) נעצרת באמצע התוכנית עם שגיאה {code} ונשארים בה מים. ניסיתי "
            "להפעיל סחיטה בלבד וזה לא עזר.",
        ),
        ask=(
            "שגיאה {code} מעידה בדרך כלל על בעיית ניקוז. אפשר לבדוק את מסנן משאבת הניקוז "
            "(מאחורי המכסה הקטן בחזית המכונה, למטה מימין)? שימו מגבת ומגש רדוד לפני הפתיחה – "
            "ייצאו מים."
        ),
        fix=(
            "כפי שחשבנו, גרב קטנה נתקעה במסנן משאבת הניקוז. אחרי הניקוי המכונה מנקזת כרגיל. "
            "מומלץ לנקות את המסנן פעם בחודשיים."
        ),
        note="שגיאת ניקוז – קודם הדרכה טלפונית לניקוי המסנן, טכנאי רק אם זה לא עוזר.",
    ),
    en=Script(
        subjects=("Washing machine won't drain – error {code}", "Error {code} mid-cycle"),
        bodies=(
            "The washing machine ({model}) stops mid-cycle with error {code} and water stays "
            "inside. I tried running spin only and it didn't help.",
        ),
        ask=(
            "Error {code} usually means a draining problem. Could you check the drain pump "
            "filter (behind the small flap at the front, bottom right)? Put a towel and a "
            "shallow tray down first – water will come out."
        ),
        fix=(
            "As we thought, a small sock was stuck in the drain pump filter. After cleaning it "
            "the machine drains normally. We recommend cleaning the filter every two months."
        ),
        note="Drain error – talk the customer through the filter first; technician only if needed.",
    ),
    codes=("E21", "F18", "E20"),
    repair=False,
    weight=3,
)


DRYER_COLD = Scenario(
    "dryer-cold",
    cats("dryer"),
    Priority.normal,
    he=Script(
        subjects=("מייבש הכביסה לא מחמם", "הכביסה יוצאת רטובה מהמייבש"),
        bodies=(
            "המייבש ({model}) מסתובב כרגיל אבל לא מחמם, והכביסה יוצאת רטובה גם אחרי שעתיים. "
            "ניקיתי את מסנן המוך.",
        ),
        ask="האם נדלקת נורית מיכל המים או נורית הקונדנסור בלוח? ומתי ניקיתם לאחרונה את הקונדנסור?",
        fix=(
            "הטכנאי החליף את הנתיך התרמי ובדק את גוף החימום – המייבש מחמם כרגיל. {warranty}\n"
            "כדאי לנקות את מסנן המוך אחרי כל ייבוש ואת הקונדנסור פעם בחודש."
        ),
        note="מייבש לא מחמם – בדרך כלל נתיך תרמי. לוודא שהלקוח מנקה קונדנסור.",
    ),
    en=Script(
        subjects=("Dryer not heating", "Clothes still wet after drying"),
        bodies=(
            "The dryer ({model}) tumbles normally but doesn't heat; the laundry is still wet "
            "after two hours. I've cleaned the lint filter.",
        ),
        ask=(
            "Is the water-tank or condenser light on in the panel? And when did you last clean "
            "the condenser?"
        ),
        fix=(
            "The technician replaced the thermal fuse and checked the heater – the dryer heats "
            "normally. {warranty}\nPlease clean the lint filter after every load and the "
            "condenser once a month."
        ),
        note="Not heating – usually the thermal fuse. Remind the customer about the condenser.",
    ),
)


AC_ERROR = Scenario(
    "ac-error",
    cats("air-conditioner"),
    Priority.high,
    he=Script(
        subjects=("המזגן מציג שגיאה {code} ונכבה", "מזגן לא מקרר – קוד {code}"),
        bodies=(
            "המזגן בסלון ({model}) עובד כמה דקות, מציג {code} ונכבה. ניסינו להוריד את המפסק "
            "בלוח ולהחזיר – אותו דבר. מספר סידורי {serial}.",
            "המזגן מפסיק לקרר אחרי רבע שעה ומהבהב {code}. היחידה החיצונית שקטה לגמרי.",
        ),
        ask=(
            "קוד {code} מתייחס ליחידה החיצונית. אפשר לבדוק שהמפסק של המזגן בלוח למעלה, ולשלוח "
            "תמונה של היחידה החיצונית? נבדוק אם יש חסימה או נזילת שמן ליד החיבורים."
        ),
        fix=(
            "הטכנאי מצא נזילה קטנה בחיבור הצנרת ביחידה החיצונית, תיקן אותה ומילא גז. המזגן "
            "מקרר כרגיל. {warranty}"
        ),
        note="{code} ביחידה החיצונית – כנראה חוסר גז. טכנאי עם בלון גז וערכת ריתוך.",
    ),
    en=Script(
        subjects=(
            "AC shows error code {code} and shuts down",
            "Air conditioner not cooling – {code}",
        ),
        bodies=(
            "The living-room AC ({model}) runs for a few minutes, shows {code} and turns off. "
            "We switched the breaker off and on – same thing. Serial {serial}.",
            "The AC stops cooling after about fifteen minutes and flashes {code}. The outdoor "
            "unit is completely silent.",
        ),
        ask=(
            "Code {code} refers to the outdoor unit. Could you check the AC's breaker in the "
            "panel is up, and send us a photo of the outdoor unit? We'll look for a blockage "
            "or oil near the pipe joints."
        ),
        fix=(
            "The technician found a small leak at a pipe joint on the outdoor unit, fixed it "
            "and refilled the gas. The AC is cooling normally. {warranty}"
        ),
        note="{code} on the outdoor unit – likely low on gas. Send a tech with gas and tools.",
    ),
    codes=("E4", "E1", "P4"),
    weight=5,
)


AC_DRIP = Scenario(
    "ac-drip",
    cats("air-conditioner"),
    Priority.normal,
    he=Script(
        subjects=("המזגן מטפטף מים בתוך הבית", "טפטוף מהיחידה הפנימית של המזגן"),
        bodies=(
            "מהיחידה הפנימית של המזגן ({model}) בחדר השינה מטפטפים מים על הקיר והרצפה, בעיקר "
            "בלילה כשהוא על קירור.",
        ),
        ask="האם צינור הניקוז יוצא החוצה או לניקוז בבית? ומתי ניקיתם לאחרונה את המסננים?",
        fix="צינור הניקוז היה סתום באבק ובוצה. הטכנאי ניקה אותו ואת המגש, והטפטוף נפסק. {warranty}",
        note="טפטוף פנימי – סתימה בניקוז. לא דחוף אלא אם יש נזק לקיר.",
    ),
    en=Script(
        subjects=("AC dripping water indoors", "Water dripping from the indoor AC unit"),
        bodies=(
            "Water drips from the indoor unit of the bedroom AC ({model}) onto the wall and "
            "floor, mostly at night when it's cooling.",
        ),
        ask=(
            "Does the drain pipe run outside or into a drain in the flat? And when were the "
            "filters last cleaned?"
        ),
        fix=(
            "The drain line was blocked with dust and sludge. The technician cleaned it and "
            "the tray, and the dripping has stopped. {warranty}"
        ),
        note="Indoor drip – blocked drain line. Not urgent unless the wall is damaged.",
    ),
)


AC_INSTALL = Scenario(
    "ac-install",
    cats("air-conditioner"),
    Priority.normal,
    he=Script(
        subjects=("תיאום התקנת מזגן", "מתי מגיע המתקין?"),
        bodies=(
            "קניתי מזגן ({model}) ועדיין לא התקשרו לתאם התקנה. אני צריך לדעת מתי להיות בבית. "
            "מספר הזמנה {order}.",
        ),
        ask="לצורך התיאום: באיזו קומה הדירה, ויש מקום ליחידה החיצונית על המרפסת או על הגג?",
        fix="ההתקנה הושלמה והמזגן הופעל. שימו לב לנקות את המסננים פעם בחודש בעונת השימוש.",
        note="התקנה סטנדרטית עד 3 מטר צנרת. מעבר לזה – תוספת לפי מחירון.",
    ),
    en=Script(
        subjects=("Scheduling the AC installation", "When is the installer coming?"),
        bodies=(
            "I bought an air conditioner ({model}) and nobody has called to schedule the "
            "installation yet. I need to know when to be home. Order {order}.",
        ),
        ask=(
            "To schedule it: which floor is the flat on, and is there room for the outdoor "
            "unit on the balcony or roof?"
        ),
        fix=(
            "The installation is complete and the AC is running. Please clean the filters "
            "monthly during the season."
        ),
        note="Standard install covers up to 3 m of piping; beyond that, extra per price list.",
    ),
    repair=False,
    weight=1,
)


ROBOT_DOCK = Scenario(
    "robot-dock",
    cats("robot-vacuum"),
    Priority.low,
    he=Script(
        subjects=("השואב הרובוטי לא חוזר לעמדת הטעינה",),
        bodies=("השואב ({model}) מסיים לנקות ונתקע באמצע הסלון עם סוללה ריקה במקום לחזור לעמדה.",),
        ask="האם העמדה צמודה לקיר עם חצי מטר פנוי מכל צד? ואיזו גרסה מופיעה באפליקציה?",
        fix="אחרי עדכון התוכנה וניקוי חיישני הרצפה השואב חוזר לעמדה כרגיל.",
        note="בעיה מוכרת בגרסה 3.2 – עדכון ל-3.4 פותר.",
    ),
    en=Script(
        subjects=("Robot vacuum doesn't return to its dock",),
        bodies=(
            "The robot vacuum ({model}) finishes cleaning and gets stuck in the middle of the "
            "living room with a flat battery instead of going back to the dock.",
        ),
        ask=(
            "Is the dock against a wall with half a metre clear on each side? Which version "
            "does the app show?"
        ),
        fix="After the software update and cleaning the floor sensors it docks normally again.",
        note="Known issue in 3.2 – updating to 3.4 fixes it.",
    ),
    repair=False,
    weight=1,
)

SCENARIOS = (
    WASHER_LEAK,
    WASHER_DRAIN,
    DRYER_COLD,
    AC_ERROR,
    AC_DRIP,
    AC_INSTALL,
    ROBOT_DOCK,
)
