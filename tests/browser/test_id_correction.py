"""In the browser: the birth date and sex that a mistyped ID number filled in follow the
corrected number (they stayed, and saving then reported a false mismatch)."""
import pytest
from playwright.sync_api import expect

from tests import factories as f

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FIRST = "430121201505050010"   # a boy born 2015-05-05
SECOND = "430121201606060023"  # a girl born 2016-06-06


def test_correcting_the_number_corrects_birth_date_and_sex(page, sign_in, village_clerk,
                                                          live_server):
    sign_in(village_clerk, f.PASSWORD).click()
    page.goto(f"{live_server.url}/persons/new/")
    number = page.locator("[data-id-check]")
    number.fill(FIRST)
    expect(page.locator("[name=birth_date]")).to_have_value("2015-05-05")
    expect(page.locator("[name=sex]")).to_have_value("M")
    number.fill(SECOND)
    expect(page.locator("[name=birth_date]")).to_have_value("2016-06-06")
    expect(page.locator("[name=sex]")).to_have_value("F")


def test_a_birth_date_the_clerk_typed_is_kept(page, sign_in, village_clerk, live_server):
    sign_in(village_clerk, f.PASSWORD).click()
    page.goto(f"{live_server.url}/persons/new/")
    page.locator("[name=birth_date]").fill("2015-05-06")
    page.locator("[data-id-check]").fill(FIRST)
    expect(page.locator(".form-text.text-success")).to_be_visible()
    expect(page.locator("[name=birth_date]")).to_have_value("2015-05-06")
