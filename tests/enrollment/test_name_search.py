"""Name search finds a part of a name of any length; on PostgreSQL two-character parts go
through the bigram index and longer ones through the trigram index."""
import pytest
from django.db import connection

from core import paging
from enrollment import scope, selectors
from enrollment.models import Person
from enrollment.views import PERSON_KEYS
from tests.factories import GRID, GRID_2, NEIGHBOUR_GRID, VILLAGE


@pytest.fixture
def people(make_person):
    for name in ("王小明", "小明", "李小红", "欧阳小明华"):
        make_person(GRID, name=name)


@pytest.mark.parametrize("query,expected", [
    ("小明", {"王小明", "小明", "欧阳小明华"}),
    ("小", {"王小明", "小明", "李小红", "欧阳小明华"}),
    ("王小明", {"王小明"}),
    ("小明华", {"欧阳小明华"}),
    ("明王", set()),
])
def test_a_part_of_a_name_finds_every_person_holding_it(people, city_leader, query, expected):
    found = selectors.person_search(city_leader, query)
    assert {p.name for p in found} == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_two_characters_use_the_bigram_index_on_postgresql(people):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: ask what it can use
        # On a few rows any b-tree (the list order's, a region's) can be read whole as cheaply
        # as the GIN index is asked; the b-trees that back no constraint are hidden for this
        # test (the DROP is rolled back with it): the question is only which index each
        # pattern can use.
        cursor.execute("""
            SELECT string_agg(quote_ident(i.relname), ', ') FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam
            WHERE x.indrelid = 'enrollment_person'::regclass AND a.amname = 'btree'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""")
        cursor.execute(f"DROP INDEX {cursor.fetchone()[0]}")
    probe, two, _ = selectors.name_filters("postgresql", "小明")
    _, three, _ = selectors.name_filters("postgresql", "王小明")
    assert "person_name_bigrams" in Person.objects.filter(probe).values("pk").explain()
    assert "person_name_bigrams" in Person.objects.filter(two).values("pk").explain()
    assert "person_name_trgm" in Person.objects.filter(three).values("pk").explain()


def test_a_rare_name_is_found_by_its_holders_ids_not_a_walk_of_the_list(people, city_leader):
    # Joined into the ordered, LIMITed list, the planner could walk the list's index hoping
    # for early matches and read the whole city for a rare name (bench/plans at 1M: 11.7 s).
    # Few holders: their ids are read first and the page is asked for those ids.
    page = selectors.person_search(city_leader, "小红")
    sql = str(page.query)
    assert "strpos" not in sql and "canbao_bigrams" not in sql and " IN (" in sql
    assert [p.name for p in page] == ["李小红"]
    assert list(selectors.person_search(city_leader, "红李")) == []


def test_a_common_name_walks_the_list_with_a_filter_no_index_serves(
        people, city_leader, monkeypatch):
    monkeypatch.setattr(selectors, "FETCH_FIRST_MAX", 2)
    found = selectors.person_search(city_leader, "小明")
    assert " IN (" not in str(found.query)
    assert {p.name for p in found} == {"王小明", "小明", "欧阳小明华"}


REGIONS = (GRID, GRID_2, NEIGHBOUR_GRID, VILLAGE)


@pytest.fixture
def many(make_person):
    """Holders of 小明 (as a two-character name, in three-character names) and of initials
    "wxm", spread over regions, with names that sort among each other and equal names."""
    names = ["王小明", "小明", "李小明", "王小明", "陈小明明", "王晓敏", "张三", "王小红"]
    for i in range(40):
        make_person(REGIONS[i % len(REGIONS)], name=names[i % len(names)])


def _simple(user, query):
    """The answer the simple way: every holder in scope, ordered as the list."""
    return list(selectors.person_search(user, "").filter(pk__in=[
        p.pk for p in Person.objects.all()
        if (query in p.name if not query.isascii() else p.name_initials.startswith(query))
    ]).order_by(*PERSON_KEYS).values_list("pk", flat=True))


def _pages_forward_and_back(user, query):
    qs = selectors.person_search(user, query)
    seen, pages, params = [], [], {}
    while True:
        page = paging.keyset_page(qs, params, keys=PERSON_KEYS, per_page=4, ids_first=True)
        pages.append(page)
        seen += [p.pk for p in page.rows]
        if not page.has_next:
            break
        params = {"after": page.next_cursor}
    back = []
    page = pages[-1]
    while page.has_previous:
        page = paging.keyset_page(qs, {"before": page.previous_cursor}, keys=PERSON_KEYS,
                                  per_page=4, ids_first=True)
        back = [p.pk for p in page.rows] + back
    return seen, back + [p.pk for p in pages[-1].rows]


@pytest.mark.parametrize("query", ["小明", "王小明", "wxm", "xm"])
@pytest.mark.parametrize("fetch_first_max", [3, 10_000])
def test_pages_are_the_simple_answer_in_order_on_either_side_of_the_threshold(
        many, city_leader, village_clerk, monkeypatch, query, fetch_first_max):
    # 3: every query has more holders and walks the list; 10,000: every query reads its
    # holders' ids first. Both give the simple answer, page after page, and back.
    monkeypatch.setattr(selectors, "FETCH_FIRST_MAX", fetch_first_max)
    for user in (city_leader, village_clerk):
        expected = _simple(user, query)
        assert len(expected) > 4  # more than one page
        forward, backward = _pages_forward_and_back(user, query)
        assert forward == expected
        assert backward == expected


@pytest.mark.parametrize("fetch_first_max", [3, 10_000])
def test_the_whole_list_of_a_small_scope_is_read_by_ids_and_pages_as_before(
        many, city_leader, village_clerk, monkeypatch, fetch_first_max):
    # No search: a village's few persons are read by id first (the planner walked the city's
    # list for a village's 481 at 1M: 640 ms); a scope of more walks the list as before.
    monkeypatch.setattr(selectors, "FETCH_FIRST_MAX", fetch_first_max)
    for user in (city_leader, village_clerk):
        expected = list(scope.filter_persons(user, Person.objects.filter(
            merged_into__isnull=True)).order_by(*PERSON_KEYS).values_list("pk", flat=True))
        assert len(expected) > 4
        listed = selectors.person_search(user, "")
        assert (" IN (" in str(listed.query)) == (len(expected) <= fetch_first_max)
        forward, backward = _pages_forward_and_back(user, "")
        assert forward == expected and backward == expected


def test_the_person_list_pages_a_common_name_walked_to_its_end(
        many, as_user, city_leader, monkeypatch):
    monkeypatch.setattr(selectors, "FETCH_FIRST_MAX", 3)
    client, seen, params = as_user(city_leader), [], {"q": "小明"}
    while True:
        page = client.get("/persons/", params).context["page"]
        seen += [p.pk for p in page.rows]
        if not page.has_next:
            break
        params = {"q": "小明", "after": page.next_cursor}
    assert seen == _simple(city_leader, "小明")
    assert page.rows[0].residence_region.name  # the rows come with their regions


def test_a_name_nobody_holds_is_an_empty_list_with_a_count_of_nought(people, as_user, city_leader):
    page = as_user(city_leader).get("/persons/", {"q": "红李"}).context["page"]
    assert page.rows == [] and page.total == 0
