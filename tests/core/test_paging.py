"""Keyset pagination: page N is "the rows after this key", never an OFFSET, and the pages
together hold every row once."""
import re

from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core import paging
from enrollment.models import Person
from tests.factories import GRID, NEIGHBOUR_GRID


def _next_params(html: str) -> dict:
    href = re.search(r'href="\?([^"]*)">下一页', html).group(1).replace("&amp;", "&")
    return dict(pair.split("=", 1) for pair in href.split("&"))


def test_person_list_pages_by_key_without_offset(as_user, village_clerk, make_person):
    for i in range(120):
        make_person(GRID, name=f"人{i:03d}")
    make_person(NEIGHBOUR_GRID, name="邻村人")
    client = as_user(village_clerk)
    seen, params, numbers = [], {}, []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/persons/", params)
        page = response.context["page"]
        seen += [p.name for p in page.rows]
        numbers.append(page.number)
        person_sql = [q["sql"] for q in queries if 'FROM "enrollment_person"' in q["sql"]]
        assert person_sql and not any("OFFSET" in sql.upper() for sql in person_sql)
        if params:
            assert any(") > (" in sql for sql in person_sql)  # the row comparison
        html = response.content.decode()
        if page.has_next:
            params = _next_params(html)
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 120  # each once, in order
    assert numbers == [1, 2, 3] and not page.has_next
    assert "邻村人" not in seen
    total = client.get("/persons/").content.decode()
    # Exact on SQLite; on PostgreSQL the planner's estimate, said to be one.
    assert ("共120条" in total) if connection.vendor == "sqlite" else ("共约" in total)


def test_previous_goes_back_to_the_same_rows(as_user, village_clerk, make_person):
    for i in range(60):
        make_person(GRID, name=f"人{i:03d}")
    client = as_user(village_clerk)
    first = client.get("/persons/").context["page"]
    second = client.get("/persons/", {"after": first.next_cursor}).context["page"]
    back = client.get("/persons/", {"before": second.previous_cursor}).context["page"]
    assert [p.pk for p in back.rows] == [p.pk for p in first.rows]
    assert back.number == 1 and not back.has_previous and back.has_next


def test_a_made_up_cursor_is_page_one(as_user, village_clerk, make_person):
    make_person(GRID, name="甲")
    for bad in ("x", "!!!", paging.encode_cursor(3, ["a"]), "W1tdXQ"):
        page = as_user(village_clerk).get("/persons/", {"after": bad}).context["page"]
        assert page.number == 1 and [p.name for p in page.rows] == ["甲"]


def test_ledger_page_two_uses_no_offset(db, make_person):
    for i in range(7):
        make_person(GRID, name=f"人{i}")
    qs = Person.objects.all()
    first = paging.keyset_page(qs, {}, keys=("residence_region_id", "name", "pk"), per_page=3)
    with CaptureQueriesContext(connection) as queries:
        second = paging.keyset_page(qs, {"after": first.next_cursor},
                                    keys=("residence_region_id", "name", "pk"), per_page=3)
    assert "OFFSET" not in queries[0]["sql"].upper()
    assert [p.name for p in second.rows] == ["人3", "人4", "人5"] and second.number == 2


def test_keyset_pagination_partial_links_by_cursor_and_says_estimate():
    request = RequestFactory().get("/persons/", {"q": "张", "after": "old"})
    page = paging.KeysetPage(rows=[], number=2, has_next=True, has_previous=True,
                             next_cursor="NEXT", previous_cursor="PREV", total=12345,
                             total_is_estimate=True)
    html = render_to_string("partials/pagination.html", {"page": page}, request=request)
    assert "?q=%E5%BC%A0&amp;after=NEXT" in html and "?q=%E5%BC%A0&amp;before=PREV" in html
    assert "第2页" in html and "共约12345条" in html and "page=" not in html


def test_descending_keyset_pages_newest_first_and_back(db, region_tree):
    people = [Person.objects.create(**{**_person_fields(i)}) for i in range(7)]
    qs = Person.objects.all()
    first = paging.keyset_page(qs, {}, keys=("pk",), per_page=3, descending=True)
    assert [p.pk for p in first.rows] == [p.pk for p in people[::-1][:3]] and first.has_next
    second = paging.keyset_page(qs, {"after": first.next_cursor}, keys=("pk",), per_page=3,
                                descending=True)
    assert [p.pk for p in second.rows] == [p.pk for p in people[::-1][3:6]]
    back = paging.keyset_page(qs, {"before": second.previous_cursor}, keys=("pk",), per_page=3,
                              descending=True)
    assert [p.pk for p in back.rows] == [p.pk for p in first.rows]


def _person_fields(i):
    import datetime as dt

    from enrollment import idnumbers

    return {"id_number": idnumbers.make_unique_id(4000000 + i, dt.date(1990, 1, 1), "M"),
            "name": f"甲{i}", "sex": "M", "birth_date": dt.date(1990, 1, 1),
            "hukou_region_id": GRID[:12], "residence_region_id": GRID}
