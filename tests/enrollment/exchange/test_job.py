"""The job: safe to run twice, resumable after a dead worker, all or nothing per file, and the
staged file (ID numbers) never left behind; the templates of every registered kind validate."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from enrollment import idnumbers
from enrollment.exchange import flow
from enrollment.exchange.base import Context, all_feeds
from enrollment.models import FeedImport, Person
from tests import factories

from .conftest import TODAY, csv_bytes, staged_files

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "姓名", "注销类型", "注销日期"]


def confirmed(actor, rows, *, valid_only=False):
    imp = flow.stage(actor=actor, kind="deregistrations", content=csv_bytes(HEADER, rows),
                     name="注销.csv")
    flow.confirm(actor=actor, imp=imp, valid_only=valid_only)
    return imp


def test_running_a_finished_job_again_does_nothing(township_officer, make_person):
    person = make_person(name="王老汉")
    imp = confirmed(township_officer, [[person.id_number, "王老汉", "死亡", "2026-03-02"]])
    assert flow.run(imp.pk).status == "done"
    second = flow.run(imp.pk)  # a redelivered message
    assert (second.status, second.updated, second.attempts) == ("done", 1, 1)


def test_a_job_whose_worker_died_runs_again_without_double_writes(township_officer,
                                                                  make_person, monkeypatch,
                                                                  as_user, settings,
                                                                  django_capture_on_commit_callbacks):
    people = [make_person(name=f"人{i}") for i in range(3)]
    imp = confirmed(township_officer, [[p.id_number, p.name, "死亡", "2026-03-02"]
                                       for p in people])
    kind = flow.feed_for("deregistrations")
    real_apply = type(kind).apply
    calls = []

    def dies_after_the_first_batch(self, rows, ctx):
        outcome = real_apply(self, rows, ctx)
        calls.append(len(rows))
        raise RuntimeError("worker lost")

    monkeypatch.setattr(type(kind), "apply", dies_after_the_first_batch)
    failed = flow.run(imp.pk)
    assert failed.status == "failed" and "未写入任何数据" in failed.error
    assert not Person.objects.filter(life_status="deceased").exists()  # rolled back
    assert len(staged_files(settings.UPLOAD_STAGING_DIR)) == 1  # kept for the retry
    monkeypatch.setattr(type(kind), "apply", real_apply)
    client = as_user(township_officer)
    page = client.get(f"/exchange/imports/{imp.pk}/").content.decode()
    assert "重试" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/imports/{imp.pk}/retry/")
    imp.refresh_from_db()
    assert (imp.status, imp.updated, imp.attempts) == ("done", 3, 2)
    assert Person.objects.filter(life_status="deceased").count() == 3
    assert staged_files(settings.UPLOAD_STAGING_DIR) == []


def test_a_job_left_running_by_a_killed_worker_is_run_again(township_officer, make_person):
    from django.utils import timezone

    person = make_person(name="王老汉")
    imp = confirmed(township_officer, [[person.id_number, "王老汉", "死亡", "2026-03-02"]])
    # What a killed worker leaves: the row says running, nothing of the file was applied.
    FeedImport.objects.filter(pk=imp.pk).update(
        status="running", started_at=timezone.now() - dt.timedelta(hours=1), attempts=1)
    imp.refresh_from_db()
    assert flow.can_retry(imp)
    done = flow.run(imp.pk)  # the redelivered message (acks_late), or 重试
    assert (done.status, done.updated, done.attempts) == ("done", 1, 2)


def test_all_or_nothing_when_the_registry_changed_since_the_preview(township_officer,
                                                                    make_person):
    good, moved = make_person(name="王老汉"), make_person(name="李四")
    imp = confirmed(township_officer, [[good.id_number, "王老汉", "死亡", "2026-03-02"],
                                       [moved.id_number, "李四", "死亡", "2026-03-02"]])
    Person.objects.filter(pk=moved.pk).update(residence_region_id=factories.OTHER_GRID,
                                              hukou_region_id=factories.OTHER_VILLAGE)
    done = flow.run(imp.pk)
    assert (done.status, done.rejected, done.updated) == ("refused", 1, 0)
    assert Person.objects.get(pk=good.pk).life_status == "alive"


def test_valid_only_when_the_registry_changed_since_the_preview(township_officer, make_person):
    good, moved = make_person(name="王老汉"), make_person(name="李四")
    imp = confirmed(township_officer, [[good.id_number, "王老汉", "死亡", "2026-03-02"],
                                       [moved.id_number, "李四", "死亡", "2026-03-02"]],
                    valid_only=True)
    Person.objects.filter(pk=moved.pk).update(residence_region_id=factories.OTHER_GRID,
                                              hukou_region_id=factories.OTHER_VILLAGE)
    done = flow.run(imp.pk)
    assert (done.status, done.rejected, done.updated) == ("done", 1, 1)


def test_an_abandoned_staged_file_is_swept(township_officer, make_person, settings):
    import time

    from core import uploads

    person = make_person(name="王老汉")
    flow.stage(actor=township_officer, kind="deregistrations", name="注销.csv",
               content=csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"]]))
    assert uploads.sweep(now=time.time() + uploads.STAGED_TTL + 1) == 1
    assert staged_files(settings.UPLOAD_STAGING_DIR) == []
    imp = FeedImport.objects.get()
    flow.confirm(actor=township_officer, imp=imp, valid_only=False)
    assert "已过期" in flow.run(imp.pk).error


# --- every registered kind's template: Chinese headers, notes, an example that validates -----

def _persons_for_examples(feed) -> None:
    """The example rows name persons by ID number: give them files (in the test region)."""
    example = feed.example_row()
    for column in feed.columns:
        number = example.get(column.header, "")
        if "证件号码" in column.header and number:
            parsed = idnumbers.parse(number)
            if not Person.objects.filter(id_number=parsed.number).exists():
                factories.make_person(id_number=parsed.number, birth_date=parsed.birth_date,
                                      sex=parsed.sex, name=example.get("姓名") or "示例")


@pytest.mark.parametrize("kind", [f.kind for f in all_feeds()])
def test_every_kinds_template_has_headers_notes_and_a_valid_example(as_user, superuser, kind):
    feed = flow.feed_for(kind)
    response = as_user(superuser).get(f"/exchange/{kind}/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == feed.headers()
    notes = " ".join(str(c.value) for r in workbook["说明"].iter_rows() for c in r if c.value)
    assert all(c.header in notes for c in feed.columns)
    _persons_for_examples(feed)
    table_rows = [(2, {h: flow.cell_text(v) for h, v in zip(rows[0], rows[1])})]
    checked, problems = feed.check_rows(table_rows, Context(actor=superuser, today=TODAY))
    assert problems == [] and [r.row for r in checked] == [2]


def test_the_template_uploaded_as_it_is_passes(as_user, superuser, make_person):
    feed = flow.feed_for("deregistrations")
    _persons_for_examples(feed)
    content = as_user(superuser).get("/exchange/deregistrations/template.xlsx").content
    imp = flow.stage(actor=superuser, kind="deregistrations", content=content, name="t.xlsx")
    assert imp.rejected == 0 and imp.rows == 1


def test_the_progress_of_a_running_job_is_seen_outside_its_transaction(township_officer,
                                                                        make_person,
                                                                        monkeypatch):
    people = [make_person(name=f"人{i}") for i in range(4)]
    imp = confirmed(township_officer, [[p.id_number, p.name, "死亡", "2026-03-02"]
                                       for p in people])
    kind = flow.feed_for("deregistrations")
    real_apply, seen = type(kind).apply, []

    def apply_and_look(self, rows, ctx):
        seen.append(flow.progress_of(FeedImport.objects.get(pk=imp.pk)))
        return real_apply(self, rows, ctx)

    monkeypatch.setattr(type(kind), "apply", apply_and_look)
    monkeypatch.setattr(flow, "batch_rows", lambda: 2)
    flow.run(imp.pk)
    assert seen == [40, 70]  # checked, then one batch of two applied
