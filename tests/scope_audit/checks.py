"""The checks every app's tables run (the assertions of the scope audit)."""
from __future__ import annotations

from enrollment import scope
from enrollment.models import AuditEntry, Enrollment, Person
from outreach.models import Campaign

from .common import fingerprint, url_for, xlsx_text


def anonymous_is_redirected_to_login(client, world, name, url, method):
    response = getattr(client, method)(url_for(url, world))
    assert response.status_code == 302, (name, response.status_code)
    assert response["Location"].startswith("/accounts/login/")


def neighbour_gets_404(client, world, method, url, data):
    before = fingerprint(world)
    response = (client.get(url_for(url, world)) if method == "get"
                else client.post(url_for(url, world), data))
    assert response.status_code == 404, response.status_code
    assert fingerprint(world) == before


def list_never_shows_our_people(client, world, url):
    w = {**world, "id_number": world["person"].id_number}
    response = client.get(url_for(url, w))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig", errors="ignore")
    for secret in ("王小明", "东山村集中宣传", world["household"].number):
        assert secret not in body, secret


def city_leader_cannot_post(client, world, url, data):
    before = fingerprint(world), Person.objects.count(), Campaign.objects.get().name
    response = client.post(url_for(url, world), data)
    assert response.status_code == 403, response.status_code
    after = fingerprint(world), Person.objects.count(), Campaign.objects.get().name
    assert after == before


def city_leader_reads(client, world, url):
    # "/" leads each role to its landing page: the read is the page it lands on.
    assert client.get(url_for(url, world), follow=True).status_code == 200


def screen_shows_masked_id_numbers(client, world, url):
    person = world["person"]
    response = client.get(url_for(url, {**world, "id_prefix": person.id_number[:14]}))
    assert response.status_code == 200
    body = (xlsx_text(response.content) if response["Content-Type"].startswith(
        "application/vnd.openxml") else response.content.decode("utf-8-sig"))
    assert person.id_number not in body
    # Phone numbers are masked too, except for the village clerk of the person's village, who
    # calls them (enrollment.scope.sees_whole_phone; tests/scope_audit/test_whole_phones.py).
    if not scope.sees_whole_phone(_user_of(client), person):
        assert "13900001111" not in body.replace('href="tel:13900001111"', "")


def _user_of(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


def page_shows_the_masked_id(client, world, url):
    body = client.get(url_for(url, world)).content.decode()
    assert world["person"].masked_id in body


def bad_query_never_gives_a_500(client, world, url):
    client.raise_request_exception = False
    response = client.get(url_for(url, world))
    assert response.status_code in (200, 302, 400, 404), response.status_code


def _counts(world):
    return (fingerprint(world), Person.objects.count(), Campaign.objects.count(),
            Enrollment.objects.count(), AuditEntry.objects.exclude(
                action=AuditEntry.Action.VIEW_ID).count())


def bad_form_input_gives_a_message_and_writes_nothing(client, world, url, data, message):
    client.raise_request_exception = False
    before = _counts(world)
    response = client.post(url_for(url, world), data)
    assert response.status_code in (200, 400), response.status_code
    assert message in response.content.decode()
    after = _counts(world)
    assert after == before
