"""TOTP second factor: required for superusers, county administrators and the separated
administrators (set up or verified after the password, every page refused until then),
optional for the others."""
import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment.models import AuditEntry
from tests import factories
from tests.accounts.conftest import login

pytestmark = pytest.mark.django_db


def _unthrottle(device):
    # A wrong code makes django-otp wait before the next try (brute-force throttling).
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()


def _code(device):
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits,
                    drift=device.drift)).zfill(device.digits)


def test_county_admin_without_a_second_factor_cannot_open_pages(anon, county_admin):
    assert login(anon, "county_admin", factories.PASSWORD).status_code == 302
    for url in ["/", "/persons/", "/benefits/recalc/", "/admin/"]:
        response = anon.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/otp/setup/"), url


def test_county_admin_sets_up_totp_and_then_gets_in(anon, county_admin):
    login(anon, "county_admin", factories.PASSWORD)
    page = anon.get("/accounts/otp/setup/?next=/persons/").content.decode()
    assert "otpauth://totp/" in page
    device = TOTPDevice.objects.get(user=county_admin, confirmed=False)
    wrong = anon.post("/accounts/otp/setup/", {"token": "000000", "next": "/persons/"})
    assert "验证码不正确" in wrong.content.decode()
    assert anon.get("/persons/").status_code == 302
    _unthrottle(device)
    response = anon.post("/accounts/otp/setup/", {"token": _code(device), "next": "/persons/"})
    assert response.status_code == 302 and response["Location"] == "/persons/"
    assert anon.get("/persons/").status_code == 200
    assert AuditEntry.objects.filter(user=county_admin, action=AuditEntry.Action.OTP,
                                     success=True).exists()


def test_a_bound_county_admin_must_enter_a_valid_code_at_each_login(anon, county_admin):
    device = TOTPDevice.objects.create(user=county_admin, name="手机", confirmed=True)
    login(anon, "county_admin", factories.PASSWORD)
    response = anon.get("/persons/")
    assert response["Location"].startswith("/accounts/otp/verify/")
    anon.post("/accounts/otp/verify/", {"token": "123456"})
    assert anon.get("/persons/").status_code == 302
    _unthrottle(device)
    anon.post("/accounts/otp/verify/", {"token": _code(device)})
    assert anon.get("/persons/").status_code == 200


def test_a_superuser_needs_the_second_factor_for_the_admin(anon, region_tree):
    factories.make_user("root", "", None, is_superuser=True)
    login(anon, "root", factories.PASSWORD, url="/admin/login/")
    response = anon.get("/admin/enrollment/auditentry/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/otp/setup/")


def test_a_village_clerk_needs_no_second_factor(anon, village_clerk):
    login(anon, "village_clerk", factories.PASSWORD)
    assert anon.get("/persons/").status_code == 200


def test_the_security_administrator_resets_a_lost_authenticator(client, county_admin):
    from enrollment.models import Role
    from tests.conftest import _verify_second_factor

    lost = TOTPDevice.objects.create(user=county_admin, name="旧手机", confirmed=True)
    security = factories.make_user("sec", Role.SECURITY_ADMIN, None)
    client.force_login(security)
    _verify_second_factor(client, security)
    page = client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/change/").content.decode()
    assert lost.key not in page  # the secret stays with the user
    assert client.get(f"/admin/otp_totp/totpdevice/{lost.pk}/qrcode/").status_code == 403
    url = f"/admin/otp_totp/totpdevice/{lost.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    assert AuditEntry.objects.filter(user=security, detail="重置身份验证器").exists()


def test_a_clerk_cannot_touch_authenticators(as_user, village_clerk):
    assert as_user(village_clerk).get("/admin/otp_totp/totpdevice/").status_code == 403
