"""Region codes: the level lengths and ancestor codes live in enrollment/regions.py only."""
import pytest

from enrollment import regions


@pytest.mark.parametrize("level, expected", [
    (regions.PROVINCE, "430000000000"),
    (regions.CITY, "430100000000"),
    (regions.COUNTY, "430121000000"),
    (regions.TOWNSHIP, "430121100000"),
    (regions.VILLAGE, "430121100001"),
    (regions.GRID, "430121100001002"),
])
def test_ancestor_code_of_a_grid_at_every_level(level, expected):
    assert regions.ancestor_code("430121100001002", level) == expected


def test_ancestor_code_accepts_a_prefix():
    assert regions.ancestor_code("430121", regions.COUNTY) == "430121000000"
    assert regions.ancestor_code("430121100", regions.COUNTY) == "430121000000"


def test_level_lengths_match_the_levels_codes():
    for level, length in regions.LEVEL_LENGTH.items():
        code = regions.ancestor_code("430121100001002", level)
        assert regions.level_of(code) == level
        assert len(regions.prefix_of(code)) == length


def test_parent_code_walks_up_one_level():
    assert regions.parent_code("430121100001002") == "430121100001"
    assert regions.parent_code("430121100001") == "430121100000"
    assert regions.parent_code("430121100000") == "430121000000"
    assert regions.parent_code("430000000000") is None


def test_prefixes_are_batched_in_order_by_the_persons_under_them():
    persons = {"430101001": 60, "430101002": 50, "430101003": 200, "430102001": 10}
    assert regions.in_batches(["430101001", "430101002", "430101003", "430102001"], persons,
                              100) == [["430101001"], ["430101002"], ["430101003"],
                                       ["430102001"]]
    assert regions.in_batches(["430101001", "430101002", "430102001"], persons, 120) == [
        ["430101001", "430101002", "430102001"]]
    # A county prefix weighs its townships; a township nobody lives in weighs nothing.
    assert regions.in_batches(["430101", "430102", "430103001"], persons, 300) == [
        ["430101"], ["430102", "430103001"]]


def test_batches_for_workers_are_even_and_a_multiple_of_the_workers():
    # Seven townships of 100 in batches of up to 250: two, two, two and one township alone;
    # for two workers the 700 persons in four even runs of consecutive townships instead.
    persons = {f"4301010{i:02d}": 100 for i in range(1, 8)}
    prefixes = sorted(persons)
    assert regions.in_batches(prefixes, persons, 250) == [
        prefixes[0:2], prefixes[2:4], prefixes[4:6], prefixes[6:7]]
    batches = regions.in_batches(prefixes, persons, 250, workers=2)
    assert len(batches) == 4
    assert [p for batch in batches for p in batch] == prefixes
    assert max(map(len, batches)) - min(map(len, batches)) <= 1
    # 1M persons in parts of up to 150,000 is seven parts alone, eight for two workers.
    persons = {f"4301{i:05d}": 6_667 for i in range(150)}
    assert len(regions.in_batches(sorted(persons), persons, 150_000)) == 7
    assert len(regions.in_batches(sorted(persons), persons, 150_000, workers=2)) == 8
    # Nobody anywhere: one batch, as without workers.
    assert regions.in_batches(["430101001"], {}, 100, workers=2) == [["430101001"]]
