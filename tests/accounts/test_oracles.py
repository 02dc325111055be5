"""No oracles: an ID number registered outside the clerk's scope is reported as registered
elsewhere, never where or under whom."""
import datetime as dt

import pytest

from enrollment import idnumbers
from tests import factories

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1990, 3, 4)
NUMBER = idnumbers.make_id("430181", BIRTH, 21, "M")
SECRETS = ["浏阳", "南塘", "集里", "网格", "刘小红", factories.OTHER_GRID]


@pytest.fixture
def elsewhere(make_person):
    return make_person(factories.OTHER_GRID, id_number=NUMBER, birth_date=BIRTH, name="刘小红")


def test_id_check_says_only_registered_elsewhere(as_user, village_clerk, elsewhere):
    data = as_user(village_clerk).get("/persons/id-check/", {"n": NUMBER}).json()
    assert data["taken"] and data["message"] == "已在其他地区登记，可申请转入。"
    body = str(data)
    for secret in SECRETS:
        assert secret not in body


def test_id_check_in_scope_says_already_registered(as_user, village_clerk, make_person):
    make_person(factories.GRID, id_number=NUMBER, birth_date=BIRTH)
    data = as_user(village_clerk).get("/persons/id-check/", {"n": NUMBER}).json()
    assert data["taken"] and "请勿重复建档" in data["message"]


def test_duplicate_registration_names_no_place_outside_scope(as_user, village_clerk,
                                                              elsewhere):
    response = as_user(village_clerk).post("/persons/new/", {
        "id_type": "resident_id", "id_number": NUMBER, "name": "赵六", "sex": "M",
        "birth_date": BIRTH.isoformat(), "hukou_region": factories.VILLAGE,
        "residence_region": factories.GRID})
    error = response.context["form"].errors["id_number"][0]
    assert "已在其他地区登记，可申请转入" in error
    for secret in SECRETS:
        assert secret not in error
