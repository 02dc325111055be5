"""The bulk paths (COPY and INSERT … SELECT in the benchmarks, the importer and the seeders) name
their columns; a column they leave out must have a database default, or every bulk load breaks the
day the column is added (the recalculation benchmark's COPY failed on credit_outstanding)."""
from __future__ import annotations

import pytest
from django.db import connection

from enrollment.models import Enrollment
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_enrollment_inserted_without_the_credit_elsewhere_and_payment_trail_columns(region_tree):
    person = factories.make_person()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO enrollment_enrollment (person_id, year, scheme, pooling_region_id, "
            "elsewhere, status, channel, payer_relation, "
            "in_concentrated_period, stop_reason, repair_years, rule_ids, explanation, "
            "case_details, determination, created_at, tier_code) VALUES "
            "(%s, 2027, 'resident', %s, %s, 'active', '', '', %s, '', 0, '[]', '[]', "
            "'{}', '{}', CURRENT_TIMESTAMP, '')",
            [person.pk, factories.COUNTY, False, True])
    e = Enrollment.objects.get(person=person)
    assert (e.credit_outstanding, e.paid_via, e.payment_reference, e.elsewhere_code,
            e.elsewhere_name) == (0, "", "", "", "")

