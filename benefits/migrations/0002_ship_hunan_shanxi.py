"""Ship the two profiles of RULES.md (hunan, shanxi) with demo standards for 2024-2027, and map
the demo city 430100000000 (长沙市) to hunan.

The parameters come from benefits.rules.profiles (the engine's own reference values), filtered
to the fields this migration state knows. The money figures are demo values (演示数值): the
seeds fix the rules, not the yearly amounts; an administrator corrects them in the admin.
"""
import datetime as dt
from decimal import Decimal

from django.db import migrations

HARDSHIP = {
    "hunan": {"special_hardship": {"share": 1.0}, "low_income": {"share": 0.5},
              "monitored": {"amount": 100}},
    "shanxi": {"special_hardship": {"share": 1.0}, "low_income": {"share": 0.7},
               "monitored": {"share": 0.5}},
}
# year: (individual, subsidy, catastrophic cap)
FIGURES = {
    "hunan": {2024: (400, 670, 300000), 2025: (400, 700, 300000), 2026: (420, 720, 300000),
              2027: (440, 740, 300000)},
    "shanxi": {2024: (380, 670, 350000), 2025: (400, 700, 350000), 2026: (420, 720, 350000),
               2027: (440, 740, 350000)},
}
DEMO_CITY = "430100000000"


def ship(apps, schema_editor):
    from benefits.rules.profiles import PROFILES

    PolicyProfile = apps.get_model("benefits", "PolicyProfile")
    YearStandard = apps.get_model("benefits", "YearStandard")
    PoolingRegionProfile = apps.get_model("benefits", "PoolingRegionProfile")
    known = {f.name for f in PolicyProfile._meta.fields}
    for code, figures in FIGURES.items():
        values = {k: v for k, v in PROFILES[code].to_dict().items() if k in known and k != "code"}
        values["student_rule"] = values.get("student_rule") or ""
        profile, _ = PolicyProfile.objects.update_or_create(code=code, defaults=values)
        for year, (individual, subsidy, cap) in figures.items():
            YearStandard.objects.get_or_create(profile=profile, year=year, defaults={
                "individual": Decimal(individual), "subsidy": Decimal(subsidy),
                "concentrated_start": dt.date(year - 1, 9, 1),
                "concentrated_end": dt.date(year - 1, 12, 31),
                "catastrophic_cap": Decimal(cap), "hardship": HARDSHIP[code]})
    PoolingRegionProfile.objects.get_or_create(
        region_id=DEMO_CITY, defaults={"profile": PolicyProfile.objects.get(code="hunan")})


def unship(apps, schema_editor):
    PoolingRegionProfile = apps.get_model("benefits", "PoolingRegionProfile")
    YearStandard = apps.get_model("benefits", "YearStandard")
    PolicyProfile = apps.get_model("benefits", "PolicyProfile")
    PoolingRegionProfile.objects.filter(region_id=DEMO_CITY).delete()
    YearStandard.objects.filter(profile__code__in=FIGURES).delete()
    PolicyProfile.objects.filter(code__in=FIGURES).delete()


class Migration(migrations.Migration):
    dependencies = [("benefits", "0001_initial")]
    operations = [migrations.RunPython(ship, unship)]
