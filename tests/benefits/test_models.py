"""Profiles as data: the model mirrors the engine's Profile; the shipped rows equal RULES.md."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from benefits import inputs
from benefits.models import PolicyProfile, PoolingRegionProfile, YearStandard
from benefits.rules.profiles import PROFILES
from benefits.rules.types import Profile
from tests import factories

pytestmark = pytest.mark.django_db


def test_policy_profile_has_every_field_of_the_engine_profile():
    model_fields = {f.name for f in PolicyProfile._meta.fields}
    assert set(Profile.field_names()) <= model_fields


@pytest.mark.parametrize("code", ["hunan", "shanxi"])
def test_shipped_profiles_equal_the_engine_reference(code):
    row = PolicyProfile.objects.get(code=code)
    assert row.to_rules() == PROFILES[code]


def test_shipped_standards_cover_2024_to_2027():
    for code in ("hunan", "shanxi"):
        years = set(YearStandard.objects.filter(profile__code=code).values_list("year", flat=True))
        assert {2024, 2025, 2026, 2027} <= years
    s = YearStandard.objects.get(profile__code="hunan", year=2026)
    assert s.concentrated_start == dt.date(2025, 9, 1)
    assert s.to_rules().hardship["low_income"].share == 0.5


def test_region_profile_is_the_nearest_mapped_ancestor(region_tree):
    assert inputs.profile_for_region(factories.GRID).code == "hunan"  # via the city
    shanxi = PolicyProfile.objects.get(code="shanxi")
    PoolingRegionProfile.objects.create(region_id=factories.OTHER_COUNTY, profile=shanxi)
    assert inputs.profile_for_region(factories.OTHER_COUNTY).code == "shanxi"
    assert inputs.profile_for_region(factories.OTHER_GRID).code == "shanxi"
    assert inputs.profile_for_region(factories.COUNTY).code == "hunan"
    assert inputs.profile_for_region("140000000000") is None


def test_hardship_table_is_checked():
    s = YearStandard(profile=PolicyProfile.objects.get(code="hunan"), year=2030,
                     individual=1, subsidy=1, concentrated_start=dt.date(2029, 9, 1),
                     concentrated_end=dt.date(2029, 12, 31), catastrophic_cap=1,
                     hardship={"low_income": {"share": 2}})
    with pytest.raises(ValidationError) as exc:
        s.full_clean()
    assert "hardship" in exc.value.error_dict
    s.hardship = {"rich": {"share": 0.5}}
    with pytest.raises(ValidationError):
        s.full_clean()


def test_profile_with_both_limits_is_refused():
    row = PolicyProfile.objects.get(code="hunan")
    row.increase_cap_amount = 80000
    with pytest.raises(ValidationError):
        row.full_clean()
