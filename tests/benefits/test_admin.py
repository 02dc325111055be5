"""Profiles and standards in the admin: the superuser edits, staff read (a county administrator
too: a standard is province-wide), used standards confirm."""
import datetime as dt
from decimal import Decimal

import pytest

from benefits.models import YearStandard
from enrollment.models import Enrollment

pytestmark = pytest.mark.django_db


def standard_post(s: YearStandard, **over):
    data = {"profile": s.profile_id, "year": s.year, "individual": s.individual,
            "subsidy": s.subsidy, "concentrated_start": s.concentrated_start.isoformat(),
            "concentrated_end": s.concentrated_end.isoformat(),
            "catastrophic_cap": s.catastrophic_cap, "hardship": '{"low_income": {"share": 0.5}}'}
    data.update(over)
    return data


def url(s):
    return f"/admin/benefits/yearstandard/{s.pk}/change/"


def test_clerk_reads_but_cannot_change_standards(as_user, village_clerk):
    s = YearStandard.objects.get(profile__code="hunan", year=2026)
    client = as_user(village_clerk)
    assert client.get("/admin/benefits/yearstandard/").status_code == 200
    response = client.post(url(s), standard_post(s, individual="999"))
    assert response.status_code == 403
    s.refresh_from_db()
    assert s.individual == Decimal("420.00")


def test_county_admin_cannot_change_a_province_wide_standard(as_user, county_admin):
    s = YearStandard.objects.get(profile__code="hunan", year=2027)
    client = as_user(county_admin)
    assert client.get(url(s)).status_code == 200  # reads it
    response = client.post(url(s), standard_post(s, individual="450"))
    assert response.status_code == 403
    s.refresh_from_db()
    assert s.individual != Decimal("450.00")


def test_superuser_changes_an_unused_standard_without_confirmation(as_user, superuser):
    s = YearStandard.objects.get(profile__code="hunan", year=2027)
    response = as_user(superuser).post(url(s), standard_post(s, individual="450"))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.individual == Decimal("450.00")
    assert s.history.first().history_user.username == "root"  # audited


def test_changing_a_used_standard_needs_confirmation(as_user, superuser, make_person):
    Enrollment.objects.create(person=make_person(), year=2026, pooling_region_id="430121000000",
                              status="active", paid_on=dt.date(2025, 10, 1))
    s = YearStandard.objects.get(profile__code="hunan", year=2026)
    client = as_user(superuser)
    response = client.post(url(s), standard_post(s, individual="450"))
    assert response.status_code == 200
    assert "确认修改已使用的标准" in response.content.decode()
    s.refresh_from_db()
    assert s.individual == Decimal("420.00")
    response = client.post(url(s), standard_post(s, individual="450", confirm_used="on"))
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.individual == Decimal("450.00")
    assert s.history.first().history_user.username == "root"


def test_bad_hardship_table_is_refused_in_the_admin(as_user, superuser):
    s = YearStandard.objects.get(profile__code="hunan", year=2027)
    response = as_user(superuser).post(url(s), standard_post(
        s, hardship='{"low_income": {"share": 3}}'))
    assert response.status_code == 200
    s.refresh_from_db()
    assert s.hardship["low_income"] == {"share": 0.5}


def test_profile_editable_by_superuser_only(as_user, county_admin, township_officer, superuser):
    assert as_user(township_officer).get("/admin/benefits/policyprofile/").status_code == 200
    assert as_user(county_admin).get("/admin/benefits/policyprofile/add/").status_code == 403
    assert as_user(superuser).get("/admin/benefits/policyprofile/add/").status_code == 200
