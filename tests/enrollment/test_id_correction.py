"""Registration after a mistyped ID number: a wrong check digit is one message, on the number;
once corrected, the birth date and sex follow the new number."""
import pytest

from enrollment.models import Person
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_wrong_check_digit_is_one_message_on_the_number(as_user, village_clerk):
    response = as_user(village_clerk).post("/persons/new/", {
        "id_type": "resident_id", "id_number": "430121201505050013", "name": "李小宝",
        "residence_region": f.GRID, "hukou_region": f.VILLAGE})
    form = response.context["form"]
    assert list(form.errors) == ["id_number"], form.errors
    assert "校验位不正确" in form.errors["id_number"][0]
    assert not Person.objects.filter(name="李小宝").exists()
