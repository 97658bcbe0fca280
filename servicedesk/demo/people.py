"""Who is in the demo desk: the staff, the partner, companies, and name pools for customers.

Names come in groups that belong together (Hebrew-speaking Jewish and Arab
Israelis, Russian-speaking olim, English speakers), each with the Latin spelling
used for their e-mail address.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicedesk.enums import Role

STAFF_DOMAIN = "demo.servicedesk.example"

# Documented in the README and printed by `servicedesk serve --demo`.
PASSWORDS: dict[Role, str] = {
    Role.admin: "demo-admin-2026",
    Role.supervisor: "demo-supervisor-2026",
    Role.agent: "demo-agent-2026",
    Role.partner: "demo-partner-2026",
}


@dataclass(frozen=True)
class QueueSpec:
    key: str
    name: str
    language: str
    description: str
    line: str  # "appliances", "electronics", "billing" or "triage"
    default: bool = False


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        "triage",
        "מיון ראשוני · Triage",
        "he",
        "Every new contact not yet routed lands here. מיון ראשוני של כל פנייה חדשה.",
        "triage",
        default=True,
    ),
    QueueSpec(
        "appliances-he",
        "מכשירי חשמל ביתיים",
        "he",
        "מקררים, מכונות כביסה, מייבשים, מדיחים, תנורים ומזגנים – בעברית.",
        "appliances",
    ),
    QueueSpec(
        "appliances-en",
        "Home appliances (EN)",
        "en",
        "Fridges, washers, dryers, dishwashers, ovens and air conditioners – in English.",
        "appliances",
    ),
    QueueSpec(
        "electronics-he",
        "Electronics – Hebrew",
        "he",
        "טלוויזיות, מחשבים ניידים, טלפונים, טאבלטים ואוזניות – בעברית.",
        "electronics",
    ),
    QueueSpec(
        "electronics-en",
        "Electronics – English",
        "en",
        "TVs, laptops, phones, tablets and headphones – in English.",
        "electronics",
    ),
    QueueSpec(
        "billing",
        "חשבונות ומשלוחים · Billing",
        "he",
        "Invoices, refunds, deliveries and warranty extensions. חיובים, החזרים ומשלוחים.",
        "billing",
    ),
)


@dataclass(frozen=True)
class StaffSpec:
    key: str  # the e-mail's local part
    name: str
    role: Role
    language: str
    queues: tuple[str, ...] = ()
    latin: str = ""  # the first name in Latin letters, when the key is not it

    @property
    def email(self) -> str:
        return f"{self.key}@{STAFF_DOMAIN}"

    def signature(self, language: str) -> str:
        """The first name as the agent signs in `language` (Latin letters in English)."""
        if language == "en":
            return self.latin or self.key.title()
        return self.name.split()[0]


ALL_QUEUES = tuple(q.key for q in QUEUES)

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("admin", "Dana Levi", Role.admin, "en", latin="Dana"),
    StaffSpec("supervisor", "מאיה פרץ", Role.supervisor, "he", ALL_QUEUES, latin="Maya"),
    StaffSpec("avi", "אבי כהן", Role.agent, "he", ("appliances-he", "triage")),
    StaffSpec("shira", "שירה אזולאי", Role.agent, "he", ("appliances-he", "billing")),
    StaffSpec("rana", "ראנה ח׳ורי", Role.agent, "he", ("appliances-he", "appliances-en")),
    StaffSpec("omer", "עומר פרידמן", Role.agent, "he", ("electronics-he", "triage")),
    StaffSpec("yael", "יעל שפירא", Role.agent, "he", ("electronics-he", "billing")),
    StaffSpec("dmitri", "דמיטרי קוזלוב", Role.agent, "he", ("electronics-he", "electronics-en")),
    StaffSpec(
        "daniel", "Daniel Green", Role.agent, "en", ("electronics-en", "appliances-en", "triage")
    ),
    StaffSpec(
        "sarah", "Sarah Goldberg", Role.agent, "en", ("appliances-en", "electronics-en", "billing")
    ),
)
PARTNER_USER = StaffSpec("partner", "טל מזרחי", Role.partner, "he", latin="Tal")
# The sign-ins printed at start-up; every agent shares the agent password.
SHOWN_LOGINS = ("admin", "supervisor", "avi", "daniel", "partner")

PARTNER_ORG = "אלקטרו-פיקס מעבדות שירות בע״מ (ElectroFix)"


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    language: str
    size: int


COMPANIES: tuple[Company, ...] = (
    Company("מלון חוף התמרים בע״מ", "hof-hatmarim.example", "he", 9),
    Company("משרד רו״ח לוינסון ושות׳", "levinson-cpa.example", "he", 6),
    Company("הייטק-נט פתרונות בע״מ", "hitechnet.example", "he", 8),
    Company("Blue Horizon Software Ltd.", "bluehorizon.example", "en", 8),
    Company("מרפאת שיניים כרמל", "carmel-dental.example", "he", 5),
    Company("Negev Logistics Ltd.", "negev-logistics.example", "en", 6),
)
PARTNER_CUSTOMERS = 18

# Personal mail providers, on the reserved .example domain: no demo reply can reach
# a real mailbox.
MAIL_PROVIDERS = ("gmail", "walla", "hotmail", "outlook", "yahoo", "bezeqint", "012")

Name = tuple[str, str]  # (as written, Latin spelling)


@dataclass(frozen=True)
class NamePool:
    language: str
    first: tuple[Name, ...]
    last: tuple[Name, ...]
    weight: int


def _names(text: str) -> tuple[Name, ...]:
    """Parse "נועה noa, בן דוד ben-david" into (as written, Latin spelling) pairs."""
    pairs = (entry.strip().rsplit(" ", 1) for entry in text.split(","))
    return tuple((written, latin) for written, latin in pairs)


HEBREW = NamePool(
    "he",
    first=_names(
        "אבי avi, יוסי yossi, דוד david, משה moshe, איתי itai, עומר omer, יונתן yonatan, "
        "נועם noam, אורי uri, רועי roy, גיא guy, עידו ido, אריאל ariel, יעקב yaakov, "
        "שמעון shimon, אלון alon, ניר nir, תומר tomer, אמיר amir, אסף asaf, חיים haim, "
        "עמית amit, נועה noa, מיכל michal, שירה shira, יעל yael, תמר tamar, מאיה maya, "
        "רותם rotem, הילה hila, ליאת liat, אורית orit, שני shani, עדי adi, אביטל avital, "
        "אסתר ester, רחל rachel, דנה dana, ענבל inbal, קרן keren, לינוי linoy, מורן moran, "
        "אפרת efrat, גלית galit, סיון sivan, אליענה eliana"
    ),
    last=_names(
        "כהן cohen, לוי levi, מזרחי mizrahi, פרץ peretz, ביטון biton, דהן dahan, "
        "אברהם avraham, פרידמן friedman, אזולאי azoulay, מלכה malka, חדד hadad, גבאי gabay, "
        "שפירא shapira, כץ katz, אוחיון ohayon, יוסף yosef, בן דוד ben-david, "
        "אשכנזי ashkenazi, גולן golan, שגיא sagi, רוזן rozen, ברק barak, עמר amar, "
        "סויסה swisa, קליין klein, נחום nahum, וקנין vaknin, שלום shalom, בוזגלו buzaglo, "
        "הורוביץ horowitz, זילברמן zilberman, טל tal, אלמוג almog, נגר nagar"
    ),
    weight=66,
)

ARAB = NamePool(
    "he",
    first=_names(
        "מוחמד mohammad, אחמד ahmad, סאמי sami, ח׳אלד khaled, יוסף yousef, עלי ali, רים rim, "
        "נור nour, ראנה rana, לינא lina, סמאח samah, מונא mona"
    ),
    last=_names(
        "ח׳ורי khoury, עבאס abbas, נסאר nassar, חלבי halabi, סלאמה salameh, מסארווה masarwa, "
        "זועבי zoabi, עודה odeh"
    ),
    weight=10,
)

RUSSIAN = NamePool(
    "he",
    first=_names(
        "ולדימיר vladimir, דמיטרי dmitri, סרגיי sergei, אלכס alex, יוליה yulia, "
        "סבטלנה svetlana, אנה anna, אולגה olga, איגור igor, נטשה natasha"
    ),
    last=_names(
        "איבנוב ivanov, קוזלוב kozlov, פטרוב petrov, סמירנוב smirnov, ליברמן liberman, "
        "רבינוביץ׳ rabinovich, גורדון gordon"
    ),
    weight=7,
)

ENGLISH = NamePool(
    "en",
    first=_names(
        "David david, Sarah sarah, Rachel rachel, Michael michael, Daniel daniel, "
        "Jessica jessica, Benjamin benjamin, Rebecca rebecca, Jonathan jonathan, "
        "Hannah hannah, Joshua joshua, Emily emily, Aaron aaron, Leah leah, Nathan nathan, "
        "Samuel samuel, Miriam miriam, Adam adam, Naomi naomi, Ethan ethan, Abigail abigail, "
        "Jacob jacob, Eli eli, Judith judith, Chloe chloe, Deborah deborah, Zev zev, "
        "Priya priya, Marco marco, James james"
    ),
    last=_names(
        "Cohen cohen, Goldberg goldberg, Katz katz, Friedman friedman, Miller miller, "
        "Stein stein, Levine levine, Rosenberg rosenberg, Klein klein, Adler adler, "
        "Green green, Weiss weiss, Schwartz schwartz, Singer singer, Berman berman, "
        "Fisher fisher, Segal segal, Bloom bloom, Hoffman hoffman, Kaplan kaplan, "
        "Marcus marcus, Abrams abrams, Feldman feldman, Roth roth, Wexler wexler, "
        "O'Brien obrien, Rossi rossi, Nair nair"
    ),
    weight=17,
)

NAME_POOLS: tuple[NamePool, ...] = (HEBREW, ARAB, RUSSIAN, ENGLISH)
