"""The demo product catalogue: home appliances and electronics sold in Israel.

Brands and models are invented. Names follow Israeli retail style (Hebrew
description, Latin brand and model); the English name is kept in `attributes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

APPLIANCES = "appliances"
ELECTRONICS = "electronics"


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    line: str
    category: str
    he: str
    en: str
    model: str  # brand and model
    price: str  # ILS, VAT included
    warranty_months: int
    weight: int  # how common among customers' units
    serial_prefix: str
    specs: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.he} {self.model}"

    @property
    def attributes(self) -> dict[str, Any]:
        return {
            "name_he": self.he,
            "name_en": f"{self.model} {self.en}",
            "brand": self.model.split()[0],
            "line": self.line,
            "currency": "ILS",
            **self.specs,
        }

    @property
    def price_ils(self) -> Decimal:
        return Decimal(self.price)


def _product(
    line: str,
    sku: str,
    category: str,
    he: str,
    en: str,
    model: str,
    price: str,
    warranty_months: int,
    weight: int,
    serial_prefix: str,
    **specs: Any,
) -> ProductSpec:
    return ProductSpec(
        sku, line, category, he, en, model, price, warranty_months, weight, serial_prefix, specs
    )


def _a(*args: Any, **specs: Any) -> ProductSpec:
    return _product(APPLIANCES, *args, **specs)


def _e(*args: Any, **specs: Any) -> ProductSpec:
    return _product(ELECTRONICS, *args, **specs)


PRODUCTS: tuple[ProductSpec, ...] = (
    _a(
        "FRG-NW-620", "refrigerator", "מקרר 4 דלתות", "4-door refrigerator",
        "Nordwind NF-620", "7490.00", 36, 6, "NW6",
        capacity_l=620, energy_class="A+", shabbat_mode=True, color="stainless",
    ),
    _a(
        "FRG-KN-450", "refrigerator", "מקרר מקפיא עליון", "top-freezer refrigerator",
        "Kinneret KR-450", "3290.00", 24, 7, "KR4",
        capacity_l=450, energy_class="A", shabbat_mode=True, color="white",
    ),
    _a(
        "FRG-NW-780", "refrigerator", "מקרר מקרר-מקפיא צד בצד", "side-by-side refrigerator",
        "Nordwind SX-780", "9990.00", 36, 3, "NWX",
        capacity_l=780, energy_class="A+", ice_maker=True, color="black steel",
    ),
    _a(
        "WSH-AR-8140", "washing-machine", "מכונת כביסה 8 ק״ג", "8 kg washing machine",
        "Arava WM-8140", "2490.00", 24, 7, "AR8",
        capacity_kg=8, spin_rpm=1400, energy_class="A",
    ),
    _a(
        "WSH-AR-1016I", "washing-machine", "מכונת כביסה 10 ק״ג אינוורטר",
        "10 kg inverter washing machine", "Arava WM-1016i", "3190.00", 36, 5, "ARI",
        capacity_kg=10, spin_rpm=1600, energy_class="A", inverter_motor=True,
    ),
    _a(
        "DRY-AR-900", "dryer", "מייבש כביסה קונדנסור 9 ק״ג", "9 kg condenser dryer",
        "Arava DC-900", "2290.00", 24, 4, "ARD",
        capacity_kg=9, type="condenser",
    ),
    _a(
        "DRY-NW-8HP", "dryer", "מייבש כביסה משאבת חום", "heat-pump dryer",
        "Nordwind HP-8", "3690.00", 36, 2, "NWH",
        capacity_kg=8, type="heat pump", energy_class="A++",
    ),
    _a(
        "DSH-KN-615", "dishwasher", "מדיח כלים 60 ס״מ", "60 cm dishwasher",
        "Kinneret DW-615", "2790.00", 24, 5, "KDW",
        place_settings=14, width_cm=60, noise_db=44,
    ),
    _a(
        "DSH-KN-450S", "dishwasher", "מדיח כלים צר 45 ס״מ", "45 cm slimline dishwasher",
        "Kinneret DW-450S", "2290.00", 24, 2, "KDS",
        place_settings=10, width_cm=45, noise_db=46,
    ),
    _a(
        "OVN-SL-70", "oven", "תנור בנוי 70 ליטר", "70 L built-in oven",
        "Solaris BO-70", "3490.00", 24, 4, "SLO",
        volume_l=70, shabbat_mode=True, pyrolytic=True,
    ),
    _a(
        "MWV-SL-25", "microwave", "מיקרוגל 25 ליטר", "25 L microwave",
        "Solaris MW-25", "790.00", 12, 3, "SLM",
        volume_l=25, grill=True,
    ),
    _a(
        "AC-ZN-12", "air-conditioner", "מזגן עילי אינוורטר 1.25 כ״ס",
        "1.25 HP inverter split air conditioner", "Zenit ZI-12", "2990.00", 36, 7, "ZN1",
        btu=12000, horsepower=1.25, energy_class="A", wifi=True,
    ),
    _a(
        "AC-ZN-25", "air-conditioner", "מזגן עילי אינוורטר 2.5 כ״ס",
        "2.5 HP inverter split air conditioner", "Zenit ZI-25", "5290.00", 36, 4, "ZN2",
        btu=24000, horsepower=2.5, energy_class="A",
    ),
    _a(
        "AC-ZN-MC45", "air-conditioner", "מיני מרכזי 4.5 כ״ס", "4.5 HP mini-central AC",
        "Zenit MC-45", "12900.00", 36, 1, "ZNM",
        btu=42000, horsepower=4.5, three_phase=True,
    ),
    _a(
        "VAC-NW-R9", "robot-vacuum", "שואב אבק רובוטי", "robot vacuum",
        "Nordwind RoboClean R9", "2190.00", 24, 2, "NWR",
        mop=True, lidar=True,
    ),
    _e(
        "TV-LM-55U8", "television", "טלוויזיה 55 אינץ׳ 4K", "55-inch 4K TV",
        "Lumo 55U8", "3490.00", 24, 6, "LM5",
        screen_in=55, resolution="4K", panel="QLED", smart_os="LumoOS",
    ),
    _e(
        "TV-LM-65U8", "television", "טלוויזיה 65 אינץ׳ 4K", "65-inch 4K TV",
        "Lumo 65U8", "4990.00", 24, 4, "LM6",
        screen_in=65, resolution="4K", panel="QLED", smart_os="LumoOS",
    ),
    _e(
        "TV-LM-77OL", "television", "טלוויזיה 77 אינץ׳ OLED", "77-inch OLED TV",
        "Lumo 77 OLED", "11990.00", 24, 1, "LMO",
        screen_in=77, resolution="4K", panel="OLED", smart_os="LumoOS",
    ),
    _e(
        "LAP-OR-AIR14", "laptop", "מחשב נייד 14 אינץ׳", "14-inch laptop",
        "Orbix Air 14", "4290.00", 12, 6, "OXA",
        cpu="8-core", ram_gb=16, ssd_gb=512, keyboard="he/en",
    ),
    _e(
        "LAP-OR-PRO16", "laptop", "מחשב נייד 16 אינץ׳ למקצוענים", "16-inch pro laptop",
        "Orbix Pro 16", "8490.00", 24, 3, "OXP",
        cpu="14-core", ram_gb=32, ssd_gb=1024, keyboard="he/en",
    ),
    _e(
        "PHN-VL-S24", "phone", "סמארטפון", "smartphone",
        "Vela S24", "3290.00", 12, 6, "VS2",
        storage_gb=256, dual_sim=True, color="graphite",
    ),
    _e(
        "PHN-VL-A15", "phone", "סמארטפון", "smartphone",
        "Vela A15", "1190.00", 12, 5, "VA1",
        storage_gb=128, dual_sim=True, color="blue",
    ),
    _e(
        "TAB-OR-11", "tablet", "טאבלט 11 אינץ׳", "11-inch tablet",
        "Orbix Tab 11", "1890.00", 12, 3, "OXT",
        storage_gb=128, lte=False,
    ),
    _e(
        "HDP-PL-ANC700", "headphones", "אוזניות קשת עם סינון רעשים", "noise-cancelling headphones",
        "Pulse ANC 700", "1190.00", 12, 4, "PLH",
        anc=True, battery_hours=30,
    ),
    _e(
        "EBD-PL-BUDS3", "headphones", "אוזניות אלחוטיות", "true wireless earbuds",
        "Pulse Buds 3", "549.00", 12, 4, "PLB",
        anc=True, battery_hours=7,
    ),
)  # fmt: skip

BY_SKU: dict[str, ProductSpec] = {p.sku: p for p in PRODUCTS}
