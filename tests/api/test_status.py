"""GET /api/v1/status/: a person's enrollment for a year, looked up by ID number through the
blind index, inside the token's region only, with the personal fields the token may see."""
import pytest

from enrollment import idnumbers
from enrollment.models import AuditEntry
from tests import factories as f

from .conftest import YEAR

URL = "/api/v1/status/"
pytestmark = pytest.mark.django_db


def test_an_enrolled_person_is_enrolled_with_scheme_region_and_cover(issue, call, world):
    _, key = issue(fields=["id_number", "name"])
    person = world["enrolled"]
    body = call(URL, key, id_number=person.id_number, year=YEAR).json()
    assert body["enrolled"] is True
    assert body["scheme"] == "resident" and body["scheme_name"] == "城乡居民医保"
    assert body["status"] == "active" and body["year"] == YEAR
    assert body["pooling_region"] == {"code": f.COUNTY, "name": "长沙县"}
    assert (body["cover_start"], body["cover_end"]) == ("2026-01-01", "2026-12-31")
    assert body["benefit_start"] == "2026-01-01"
    assert body["id_number"] == person.id_number and body["name"] == "甲"
    assert len(body["enrollments"]) == 1


def test_employee_cover_dates_are_the_months_covered(issue, call, world):
    _, key = issue()
    body = call(URL, key, id_number=world["employee"].id_number, year=YEAR).json()
    assert body["enrolled"] is True and body["scheme"] == "employee"
    assert (body["cover_start"], body["cover_end"]) == ("2026-03-01", "2026-09-30")


def test_a_person_without_enrollment_is_not_enrolled(issue, call, world):
    _, key = issue()
    body = call(URL, key, id_number=world["open1"].id_number, year=YEAR).json()
    assert body["enrolled"] is False and body["scheme"] is None
    assert body["status"] == "none" and body["enrollments"] == []


def test_another_year_is_its_own_answer(issue, call, world):
    _, key = issue()
    body = call(URL, key, id_number=world["enrolled"].id_number, year=YEAR + 1).json()
    assert body["enrolled"] is False


def test_without_the_field_the_id_is_masked_and_name_and_phone_left_out(issue, call, world):
    _, key = issue(fields=[])
    person = world["enrolled"]
    body = call(URL, key, id_number=person.id_number, year=YEAR).json()
    assert body["id_number"] == idnumbers.mask(person.id_number) != person.id_number
    assert "name" not in body and "phone" not in body
    assert person.id_number not in str(body)


def test_phone_is_given_only_where_the_field_list_allows(issue, call, world):
    _, key = issue(fields=["phone"])
    body = call(URL, key, id_number=world["enrolled"].id_number, year=YEAR).json()
    assert body["phone"] == "13800001111" and "name" not in body


def test_a_person_outside_the_tokens_region_is_404_like_an_unknown_number(issue, call, world):
    _, key = issue(region=f.VILLAGE)
    outside = call(URL, key, id_number=world["outside"].id_number, year=YEAR)
    neighbour = call(URL, key, id_number=world["hardship"].id_number, year=YEAR)
    unknown = call(URL, key, id_number=idnumbers.make_id("430121", world["enrolled"].birth_date,
                                                          499, "M"), year=YEAR)
    assert outside.status_code == neighbour.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    assert "不在本令牌可查询的区划内" in outside.json()["detail"]


def test_a_person_registered_in_the_region_but_living_elsewhere_is_found(issue, call,
                                                                           make_person):
    person = make_person(f.OTHER_GRID, hukou_code=f.VILLAGE, name="外出务工")
    _, key = issue(region=f.VILLAGE)
    assert call(URL, key, id_number=person.id_number, year=YEAR).status_code == 200


def test_the_number_is_normalised_before_the_lookup(issue, call, world):
    _, key = issue()
    number = world["enrolled"].id_number
    typed = f" {number[:6]} {number[6:].lower()} "
    assert call(URL, key, id_number=typed, year=YEAR).json()["enrolled"] is True


@pytest.mark.parametrize("number,words", [
    ("43012119800501001", "18位"),
    ("430121198005010010", "校验"),
    ("", "请填写证件号码"),
])
def test_a_bad_id_number_is_400_naming_the_field(issue, call, world, number, words):
    _, key = issue()
    response = call(URL, key, id_number=number, year=YEAR)
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert "证件号码" in message and words in message
    assert set(response.json()) == {"id_number"}


def test_a_missing_id_number_is_400(issue, call, world):
    _, key = issue()
    response = call(URL, key, year=YEAR)
    assert response.status_code == 400
    assert response.json()["id_number"] == ["请填写证件号码（id_number）。"]


@pytest.mark.parametrize("year", ["abc", "1800", "20266"])
def test_a_bad_year_is_400_naming_the_field(issue, call, world, year):
    _, key = issue()
    response = call(URL, key, id_number=world["enrolled"].id_number, year=year)
    assert response.status_code == 400
    assert "年度（year）" in response.json()["year"][0]


def test_the_call_is_audited_with_the_department_the_masked_id_and_one_row(issue, call,
                                                                           world):
    token, key = issue(fields=["id_number"])
    person = world["enrolled"]
    call(URL, key, id_number=person.id_number, year=YEAR)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API)
    assert entry.username == f"接口：县卫生健康局（令牌{token.key_prefix}…）"
    assert entry.object_repr == "GET status" and entry.success
    assert idnumbers.mask(person.id_number) in entry.detail
    assert person.id_number not in entry.detail
    assert f"year={YEAR}" in entry.detail and "返回 1 行" in entry.detail
    assert entry.person == person  # the person's own trail shows who asked about them
