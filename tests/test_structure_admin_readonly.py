"""One read-only admin mixin (core.admin.ReadOnlyAdminMixin) for every admin that only shows
rows, instead of each repeating has_add/change/delete_permission; nobody, the superuser
included, writes those rows from the admin."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.test import RequestFactory

from benefits.models import PersonYearStatus, RecalcChange, RecalcChunk, RecalcJob
from core.admin import ReadOnlyAdminMixin
from core.models import SubmittedForm
from dashboards.models import CoverageRollup, DailyCollection, FunnelRollup, RefreshRun
from enrollment.models import AuditEntry
from payments.models import Account, Entry, Payer, PayerMember, Receipt, Transfer

ROOT = Path(__file__).resolve().parent.parent
READ_ONLY = [PersonYearStatus, RecalcJob, RecalcChunk, RecalcChange, AuditEntry, SubmittedForm,
             CoverageRollup, DailyCollection, FunnelRollup, RefreshRun, Account, Transfer,
             Receipt, Payer, PayerMember, AccessAttempt]
# A permission method that only says no, written out again instead of using the mixin.
REPEATED = re.compile(r"def has_(add|change|delete)_permission\(self[^)]*\):\n\s+return False\b")


@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_read_only_admins_use_the_one_mixin(model):
    assert isinstance(admin.site._registry[model], ReadOnlyAdminMixin)


@pytest.mark.django_db
@pytest.mark.parametrize("model", READ_ONLY, ids=lambda m: m._meta.label)
def test_nobody_writes_them_in_the_admin_not_even_the_superuser(model, superuser):
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_no_admin_repeats_the_read_only_methods():
    repeated = [str(path.relative_to(ROOT)) for path in ROOT.glob("*/admin*.py")
                if path != ROOT / "core" / "admin.py" and REPEATED.search(path.read_text())]
    repeated += [str(path.relative_to(ROOT)) for path in ROOT.glob("*/admin/*.py")
                 if REPEATED.search(path.read_text())]
    assert repeated == []


def test_the_payments_entry_inline_is_read_only_too():
    from payments.admin import EntryInline

    assert issubclass(EntryInline, ReadOnlyAdminMixin) and EntryInline.model is Entry
