"""Screenshots for the lead (not part of the suite): pages rendered by the test client, shown
through the live server so that the CSS loads."""
import datetime as dt

import pytest
from playwright.sync_api import sync_playwright

from enrollment import services
from enrollment.models import Enrollment, Household, Person
from tests import factories
from tests.factories import COUNTY, GRID, NEIGHBOUR_GRID

OUT = "/tmp/shots/dup-admin"


def shoot(live_server, html, name):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        for width, suffix in ((1280, "desktop"), (375, "mobile")):
            page = browser.new_page(viewport={"width": width, "height": 900})
            url = live_server.url + "/__shot__"
            page.route(url, lambda route: route.fulfill(body=html, content_type="text/html"))
            page.goto(url)
            page.screenshot(path=f"{OUT}/{name}-{suffix}.png", full_page=True)
            page.close()
        browser.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_shots(live_server, as_user, village_clerk, neighbour_clerk, county_admin, make_person):
    household = Household.objects.create(number="4301211000010009", head_name="周大",
                                         region_id="430121100001")
    cert = make_person(GRID, name="周小宝", sex="F", birth_date=dt.date(2026, 1, 20),
                       id_type="birth_cert", birth_cert_number="R430001", household=household)
    Person.objects.filter(pk=cert.pk).update(id_number=None)
    from enrollment import idnumbers

    client = as_user(village_clerk)
    response = client.post("/persons/new/", {
        "id_type": "resident_id", "id_number": idnumbers.make_id("430121", dt.date(2026, 1, 20),
                                                               5, "F"),
        "name": "周小宝", "sex": "", "birth_date": "", "phone": "",
        "hukou_region": "430121100001", "residence_region": GRID, "address": "",
        "household_number": household.number, "relation_to_head": "child"})
    shoot(live_server, response.content.decode(), "duplicate-warning")

    # Merge preview: two files of one newborn, one enrollment and a ledger entry to move.
    twin = make_person(GRID, name="周小宝", sex="F", birth_date=dt.date(2026, 1, 20),
                       household=household)
    Enrollment.objects.create(person=cert, year=2026, pooling_region_id=COUNTY,
                              status="active", paid_on=dt.date(2026, 2, 1))
    admin = as_user(county_admin)
    shoot(live_server, admin.get(f"/persons/{twin.pk}/merge/").content.decode(), "merge-choose")
    shoot(live_server, admin.get(f"/persons/{twin.pk}/merge/{cert.pk}/").content.decode(),
          "merge-preview")
    response = admin.post(f"/persons/{twin.pk}/merge/{cert.pk}/", {"confirm": "on"},
                          follow=True)
    shoot(live_server, response.content.decode(), "merge-done-survivor")
    shoot(live_server, admin.get(f"/persons/{cert.pk}/").content.decode(), "merged-file-banner")

    # Transfer requests: the requester's and the owner's lists.
    theirs = make_person(NEIGHBOUR_GRID, name="刘小红")
    other = make_person(NEIGHBOUR_GRID, name="陈大山")
    client = as_user(village_clerk)
    for person in (theirs, other):
        client.post("/transfers/new/", {"number": person.id_number, "to_region": GRID,
                                        "note": "已在东山村常住两年"})
    shoot(live_server, client.get(f"/transfers/new/?number={theirs.id_number}").content.decode(),
          "transfer-form")
    owner = as_user(neighbour_clerk)
    from enrollment.models import TransferRequest

    first = TransferRequest.objects.get(person=other)
    owner.post(f"/transfers/{first.pk}/decline/", {"reason": "本人仍在西湖社区居住"})
    shoot(live_server, owner.get("/transfers/").content.decode(), "transfer-list-owner")
    shoot(live_server, as_user(village_clerk).get("/transfers/").content.decode(),
          "transfer-list-requester")
    assert services
    assert factories
