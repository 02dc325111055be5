"""`import_feed KIND FILE --as USERNAME [--valid-only]`: the contract outside checks use."""
import io

import pytest
from django.core.management import call_command

from enrollment.models import FeedImport, Person

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "姓名", "注销类型", "注销日期"]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_feed", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def file_of(tmp_path):
    def write(content: bytes, name="注销.csv"):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def test_good_file_then_the_same_file_again(township_officer, make_person, file_of, staging):
    person = make_person(name="王老汉")
    path = file_of(csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"]]))
    code, out, _ = run("deregistrations", path, "--as", township_officer.username)
    assert code == 0 and out.strip() == "rows=1 created=0 updated=1 unchanged=0 rejected=0"
    code, out, _ = run("deregistrations", path, "--as", township_officer.username)
    assert code == 0 and "created=0 updated=0" in out and "unchanged=1" in out
    assert not [p for p in staging.glob("u*/*")]  # no ID numbers left on disk


def test_bad_rows_are_printed_nothing_is_written_exit_2(township_officer, make_person, file_of):
    person, other = make_person(name="王老汉"), make_person(name="李四")
    path = file_of(csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"],
                                      [other.id_number, "李四", "死掉", "2026-03-02"]]))
    code, out, _ = run("deregistrations", path, "--as", township_officer.username)
    assert code == 2
    assert "第3行[注销类型]：“死掉”不是可选的注销类型" in out
    assert out.strip().splitlines()[-1] == "rows=2 created=0 updated=0 unchanged=0 rejected=1"
    assert Person.objects.get(pk=person.pk).life_status == "alive"
    assert FeedImport.objects.get().status == "refused"


def test_valid_only_imports_the_good_rows(township_officer, make_person, file_of):
    person, other = make_person(name="王老汉"), make_person(name="李四")
    path = file_of(csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"],
                                      [other.id_number, "李四", "死掉", "2026-03-02"]]))
    code, out, _ = run("deregistrations", path, "--as", township_officer.username,
                       "--valid-only")
    assert code == 0 and out.strip() == "rows=2 created=0 updated=1 unchanged=0 rejected=1"
    assert Person.objects.get(pk=person.pk).life_status == "deceased"


@pytest.mark.parametrize("case,expected", [
    ("unknown_kind", "数据类型：没有“nonsense”这种名单"),
    ("missing_headers", "文件缺少列：注销类型、注销日期"),
    ("unreadable", "不是有效的 Excel"),
    ("no_file", "无法读取"),
    ("no_user", "用户“nobody”不存在"),
])
def test_refusals_are_one_chinese_line_and_exit_2(township_officer, file_of, case, expected):
    kind, user = "deregistrations", township_officer.username
    path = file_of(csv_bytes(HEADER, [["1", "x", "死亡", "2026-01-01"]]))
    if case == "unknown_kind":
        kind = "nonsense"
    elif case == "missing_headers":
        path = file_of(csv_bytes(["证件号码", "姓名"], [["1", "x"]]))
    elif case == "unreadable":
        path = file_of(b"not a zip", "名单.xlsx")
    elif case == "no_file":
        path = "/nonexistent/名单.csv"
    else:
        user = "nobody"
    code, out, err = run(kind, path, "--as", user)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1 and not out


def test_a_clerk_who_may_not_import_is_refused(village_clerk, file_of):
    path = file_of(csv_bytes(HEADER, [["1", "x", "死亡", "2026-01-01"]]))
    code, _, err = run("deregistrations", path, "--as", village_clerk.username)
    assert code == 2 and "不能导入" in err
