"""The audit trail: account events with the real client address, append-only for everyone
(admin and database), archived after 180 days by the only deletion path, and an audit page for
the audit administrator."""
import datetime as dt
import gzip
import json
from io import BytesIO

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory, override_settings
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tasks import archive_audit_entries
from enrollment.audit import audit_record, client_ip
from enrollment.models import AuditEntry, Role
from tests import factories
from tests.accounts.conftest import login
from tests.conftest import _verify_second_factor

pytestmark = pytest.mark.django_db


# --- The client address -------------------------------------------------------------------


def _request(remote="203.0.113.7", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(forwarded="1.2.3.4")) == "203.0.113.7"


def test_with_one_trusted_proxy_the_rightmost_forwarded_address_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client wrote "1.2.3.4" itself; our proxy appended the address it saw.
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 198.51.100.9")) == "198.51.100.9"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.1", "1.2.3.4, 198.51.100.9, 10.0.0.2")) == "198.51.100.9"
    assert client_ip(_request("10.0.0.1", "")) == "10.0.0.1"


@pytest.mark.parametrize("proxies", [0, 1])
def test_malformed_addresses_never_give_an_error(settings, anon, village_clerk, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request("not-an-ip", "not-an-ip")) is None
    response = login(anon, "village_clerk", "wrong", REMOTE_ADDR="not-an-ip",
                     HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 200
    response = login(anon, "village_clerk", factories.PASSWORD, HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 302


# --- Account events --------------------------------------------------------------------------


def test_login_logout_and_failure_are_recorded_with_the_address(anon, village_clerk):
    login(anon, "village_clerk", "wrong", REMOTE_ADDR="198.51.100.20")
    login(anon, "village_clerk", factories.PASSWORD, REMOTE_ADDR="198.51.100.20",
          HTTP_X_FORWARDED_FOR="6.6.6.6")
    anon.post("/accounts/logout/", REMOTE_ADDR="198.51.100.20")
    rows = list(AuditEntry.objects.order_by("pk").filter(username="village_clerk").values_list(
        "action", "success", "ip"))
    assert rows[-3:] == [("login_failed", False, "198.51.100.20"),
                         ("login", True, "198.51.100.20"), ("logout", True, "198.51.100.20")]


def test_role_changes_in_the_admin_are_recorded(as_user, superuser, village_clerk):
    response = as_user(superuser).post(
        f"/admin/enrollment/user/{village_clerk.pk}/change/", {
            "username": village_clerk.username, "last_name": "x", "role": "township_officer",
            "region": factories.TOWNSHIP, "is_active": "on", "is_staff": "on",
            "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PERMISSION_CHANGE,
                                   detail__contains="village_clerk → township_officer")
    assert entry.user == superuser
    assert factories.TOWNSHIP in entry.detail and entry.ip == "127.0.0.1"


def test_a_county_admin_cannot_hand_out_the_separated_roles(as_user, county_admin,
                                                            village_clerk):
    response = as_user(county_admin).post(
        f"/admin/enrollment/user/{village_clerk.pk}/change/", {
            "username": village_clerk.username, "last_name": "x", "role": "audit_admin",
            "region": factories.VILLAGE, "is_active": "on", "is_staff": "on",
            "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})
    # Staff accounts are the security administrator's and the superuser's, not a county's.
    assert response.status_code == 403
    village_clerk.refresh_from_db()
    assert village_clerk.role == Role.VILLAGE_CLERK


# --- Append-only ---------------------------------------------------------------------------


@pytest.fixture
def superuser_client(client, region_tree):
    root = factories.make_user("root", "", None, is_superuser=True)
    client.force_login(root)
    _verify_second_factor(client, root)
    return client


def test_not_even_a_superuser_can_change_or_delete_audit_rows_in_the_admin(superuser_client,
                                                                          village_clerk):
    entry = audit_record(user=village_clerk, action=AuditEntry.Action.EXPORT, detail="x")
    base = "/admin/enrollment/auditentry/"
    page = superuser_client.get(base).content.decode()
    assert 'name="action"' not in page  # no bulk actions, "delete selected" included
    assert superuser_client.get(f"{base}{entry.pk}/delete/").status_code == 403
    assert superuser_client.post(f"{base}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert superuser_client.post(base, {"action": "delete_selected",
                                        "_selected_action": [entry.pk],
                                        "post": "yes"}).status_code in (200, 302)
    change = superuser_client.post(f"{base}{entry.pk}/change/", {"detail": "改过"})
    assert change.status_code in (302, 403)
    entry.refresh_from_db()
    assert entry.detail == "x"


def test_the_database_refuses_update_and_delete(village_clerk):
    entry = audit_record(user=village_clerk, action=AuditEntry.Action.EXPORT, detail="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(detail="改过")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM enrollment_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).detail == "x"


def test_removing_a_person_only_clears_the_link(village_clerk, make_person):
    person = make_person()
    entry = audit_record(user=village_clerk, action=AuditEntry.Action.VIEW_ID, person=person)
    person.delete()
    entry.refresh_from_db()
    assert entry.person_id is None and entry.object_repr == str(person)


# --- Retention ------------------------------------------------------------------------------


def test_entries_older_than_180_days_are_archived_then_removed(village_clerk, tmp_path):
    with time_machine.travel(timezone.now() - dt.timedelta(days=181)):
        old = audit_record(user=village_clerk, action=AuditEntry.Action.EXPORT,
                           detail="=HYPERLINK(\"x\")")
    with time_machine.travel(timezone.now() - dt.timedelta(days=179)):
        kept = audit_record(user=village_clerk, action=AuditEntry.Action.EXPORT, detail="新")
    with override_settings(AUDIT_ARCHIVE_DIR=tmp_path):
        assert archive_audit_entries.delay().get() == 1
        assert archive_audit_entries.delay().get() == 0  # a second run finds nothing
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    [archive] = tmp_path.glob("audit-*.jsonl.gz")
    with gzip.open(archive, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert [(r["id"], r["username"], r["detail"]) for r in rows] == [
        (old.pk, "village_clerk", "=HYPERLINK(\"x\")")]
    # The guard is back after the archiver's delete.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=kept.pk).delete()


def test_the_archive_runs_nightly_from_beat():
    from django_celery_beat.models import PeriodicTask

    assert PeriodicTask.objects.filter(task="accounts.archive_audit_entries",
                                       enabled=True).exists()


# --- The audit page -------------------------------------------------------------------------


@pytest.fixture
def auditor(client, region_tree):
    user = factories.make_user("auditor", Role.AUDIT_ADMIN, None)
    client.force_login(user)
    _verify_second_factor(client, user)
    return client


def test_the_audit_administrator_reads_and_filters_the_audit(auditor, village_clerk,
                                                            neighbour_clerk):
    audit_record(user=village_clerk, action=AuditEntry.Action.EXPORT, detail="东山村名单")
    audit_record(user=neighbour_clerk, action=AuditEntry.Action.IMPORT, detail="西湖社区导入")
    page = auditor.get("/audit/").content.decode()
    assert "东山村名单" in page and "西湖社区导入" in page
    page = auditor.get("/audit/", {"actor": "neighbour", "action": "import"}).content.decode()
    assert "西湖社区导入" in page and "东山村名单" not in page
    today = timezone.localdate()
    page = auditor.get("/audit/", {"start": today + dt.timedelta(days=1)}).content.decode()
    assert "东山村名单" not in page and "没有符合条件的记录" in page
    assert auditor.get("/audit/", {"start": "bad", "page": "x"}).status_code == 200


def test_the_audit_export_is_excel_with_formulas_as_text(auditor, village_clerk):
    audit_record(user=village_clerk, action=AuditEntry.Action.EXPORT,
                 detail='=HYPERLINK("http://x","点此")')
    response = auditor.get("/audit/export.xlsx")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    sheet = load_workbook(BytesIO(response.content)).active
    values = [c.value for row in sheet.iter_rows() for c in row]
    assert "'=HYPERLINK(\"http://x\",\"点此\")" in values
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT,
                                     username="auditor").exists()


@pytest.mark.parametrize("persona", ["village_clerk", "county_admin", "city_leader"])
def test_registry_staff_cannot_read_the_audit(as_user, request, persona):
    client = as_user(request.getfixturevalue(persona))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403


def test_the_audit_administrator_does_nothing_else(auditor, village_clerk, make_person):
    person = make_person()
    assert auditor.get("/").status_code == 302
    assert auditor.get(f"/persons/{person.pk}/").status_code in (403, 404)
    assert auditor.get("/persons/").status_code == 403
    assert auditor.get("/admin/").status_code == 403


def test_the_security_administrator_manages_accounts_not_the_audit(client, region_tree,
                                                                  village_clerk):
    security = factories.make_user("sec", Role.SECURITY_ADMIN, None)
    client.force_login(security)
    _verify_second_factor(client, security)
    assert client.get("/admin/enrollment/user/").status_code == 200
    assert client.get(f"/admin/enrollment/user/{village_clerk.pk}/change/").status_code == 200
    assert client.get("/audit/").status_code == 403
    assert client.get("/persons/").status_code == 403
