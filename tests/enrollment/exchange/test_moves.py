"""公安 户籍迁入迁出名单."""
import pytest

from tests import factories

from .conftest import csv_bytes, problems_of

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "姓名", "迁移类型", "迁移日期", "区划代码", "地名"]


def test_moves_out_and_in(township_officer, make_person, run_feed):
    leaving = make_person(name="李出")
    coming = make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.OTHER_VILLAGE,
                         name="王入")
    rows = [[leaving.id_number, "李出", "迁出", "2026-05-10", "440304000000", "广东省深圳市福田区"],
            [coming.id_number, "王入", "迁入", "2026-06-01", factories.VILLAGE, "浏阳市"]]
    imp = run_feed(township_officer, "moves", csv_bytes(HEADER, rows))
    assert (imp.status, imp.updated, imp.rejected) == ("done", 2, 0)
    leaving.refresh_from_db()
    coming.refresh_from_db()
    assert leaving.life_status == "moved_out" and "广东省深圳市福田区" in leaving.life_status_source
    assert coming.hukou_region_id == factories.VILLAGE
    again = run_feed(township_officer, "moves", csv_bytes(HEADER, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_moving_back_in_makes_the_file_alive_again(township_officer, make_person, run_feed):
    person = make_person(name="李回")
    run_feed(township_officer, "moves", csv_bytes(HEADER, [
        [person.id_number, "李回", "迁出", "2026-01-10", "", "外省"]]))
    imp = run_feed(township_officer, "moves", csv_bytes(HEADER, [
        [person.id_number, "李回", "迁入", "2026-06-01", factories.VILLAGE, "外省"]]))
    person.refresh_from_db()
    assert imp.updated == 1 and person.life_status == "alive"


def test_bad_rows(township_officer, make_person, run_feed):
    person = make_person(name="李四")
    outsider = make_person(factories.OTHER_GRID, name="外县人")
    rows = [[person.id_number, "李四", "迁走", "2026-05-10", "", ""],              # type
            [person.id_number, "李四", "迁入", "2026-05-10", "", ""],              # no code
            [person.id_number, "李四", "迁入", "2026-05-10", factories.OTHER_VILLAGE, ""],
            [person.id_number, "李四", "迁出", "2026-05-10", "4403", ""],          # bad code
            [person.id_number, "李四", "迁出", "明天", "", ""],                    # bad date
            [outsider.id_number, "外县人", "迁出", "2026-05-10", "", ""]]          # scope
    imp = run_feed(township_officer, "moves", csv_bytes(HEADER, rows))
    assert problems_of(imp) == [(2, "迁移类型"), (3, "区划代码"), (4, "区划代码"),
                                (5, "区划代码"), (6, "迁移日期"), (7, "证件号码")]
    assert "不在您的辖区内" in imp.problems[2]["message"]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_gb18030_and_bom_files(township_officer, make_person, run_feed, encoding):
    person = make_person(name="李出")
    imp = run_feed(township_officer, "moves", csv_bytes(HEADER, [
        [person.id_number, "李出", "迁出", "2026-05-10", "", "广东省"]], encoding))
    assert imp.status == "done" and imp.updated == 1
