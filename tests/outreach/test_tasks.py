"""The six steps: push, sign, assign, visit, mobilise, enrolled / cannot enrol, report."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrollment.models import AuditEntry, Region, Role
from outreach import selectors
from outreach.services import campaigns as campaign_services
from outreach.services import grids as grid_services
from outreach.services import ledger as ledger_services
from outreach.services import tasks as task_services
from outreach.models import (
    Batch, EntryStatus, GridAssignment, LedgerEntry, Reason, Task, TaskStatus, Visit,
    WorkerSubstitution,
)
from tests import factories
from tests.factories import COUNTY, GRID, GRID_2, NEIGHBOUR_GRID, OTHER_GRID, TOWNSHIP, VILLAGE

from .factories import assign, enroll

Y = 2027
TODAY = dt.date.today()


@pytest.fixture
def ledger(county_admin, make_person):
    def build(*codes):
        people = [make_person(code, name=f"人{i}") for i, code in enumerate(codes)]
        ledger_services.ledger_generate(actor=county_admin, year=Y,
                                        region=Region.objects.get(code=COUNTY))
        return people
    return build


def push(county_admin, **kw):
    return task_services.batch_push(actor=county_admin, year=Y,
                                    township=Region.objects.get(code=TOWNSHIP), **kw)


def feedback_row(user, level="village", key=VILLAGE):
    rows = {r["key_id"]: r for r in selectors.feedback(user, year=Y, level=level)}
    return rows.get(key, {})


def test_one_person_walks_all_six_steps_to_enrolled(county_admin, township_officer, worker,
                                                    ledger):
    (person,) = ledger(GRID)
    entry = LedgerEntry.objects.get(person=person)
    # 数据下发
    batch = push(county_admin, due_date=TODAY + dt.timedelta(days=30))
    task = Task.objects.get(entry=entry)
    assert task.status == TaskStatus.PUSHED and batch.size == 1
    assert feedback_row(county_admin)["pushed"] == 1
    assert feedback_row(county_admin)["signed"] == 0
    # 签领, and the task goes to the grid's worker
    task_services.batch_sign(actor=township_officer, batch=batch)
    task.refresh_from_db()
    assert task.status == TaskStatus.SIGNED and task.worker == worker
    assert feedback_row(county_admin)["signed"] == 1
    # 精准摸排
    task_services.visit_record(actor=worker, task=task, visited_on=TODAY, method=Visit.Method.HOME,
                               outcome=Visit.Outcome.INFORMED, note="户主在家，已讲解政策",
                               next_follow_up=TODAY + dt.timedelta(days=3))
    task.refresh_from_db()
    assert task.status == TaskStatus.INVESTIGATING
    assert task.follow_up_date == TODAY + dt.timedelta(days=3)
    assert feedback_row(county_admin)["visited"] == 1
    # 动员参保
    task_services.visit_record(actor=worker, task=task, visited_on=TODAY, method=Visit.Method.PHONE,
                               outcome=Visit.Outcome.AGREED)
    task.refresh_from_db()
    assert task.status == TaskStatus.MOBILISED
    assert feedback_row(county_admin)["mobilised"] == 1
    assert feedback_row(county_admin)["enrolled"] == 0
    # The enrollment arrives: the task completes itself and links to it.
    e = enroll(person, Y)
    task.refresh_from_db()
    assert task.status == TaskStatus.ENROLLED and task.enrollment == e
    assert LedgerEntry.objects.get(pk=entry.pk).status == EntryStatus.ENROLLED
    assert feedback_row(county_admin)["enrolled"] == 1
    # 汇总反馈
    task_services.batch_report(actor=township_officer, batch=batch)
    task.refresh_from_db()
    assert task.status == TaskStatus.REPORTED and task.outcome == TaskStatus.ENROLLED
    row = feedback_row(county_admin, level="township", key="430121100")
    assert (row["pushed"], row["signed"], row["visited"], row["mobilised"], row["enrolled"],
            row["cannot"], row["overdue"]) == (1, 1, 1, 1, 1, 0, 0)
    assert feedback_row(county_admin, level="worker", key=worker.pk)["enrolled"] == 1
    assert AuditEntry.objects.filter(object_repr__contains=person.name).count() == 3
    assert {a.detail[:4] for a in AuditEntry.objects.filter(object_repr__contains="批")} == {
        "向星沙街", "签领1项", "汇总反馈"}


def test_cannot_enrol_with_reason_reaches_ledger_and_feedback(county_admin, township_officer,
                                                              worker, ledger):
    (person,) = ledger(GRID)
    batch = push(county_admin)
    task_services.batch_sign(actor=township_officer, batch=batch)
    task = Task.objects.get()
    task_services.task_cannot_enrol(actor=worker, task=task, reason=Reason.ELSEWHERE, note="深圳参保")
    entry = LedgerEntry.objects.get(person=person)
    assert entry.status == EntryStatus.MARKED and entry.reason == Reason.ELSEWHERE
    assert feedback_row(county_admin)["cannot"] == 1


def test_pushing_an_entry_twice_is_refused_and_writes_nothing(county_admin, ledger):
    ledger(GRID, GRID_2)
    first = LedgerEntry.objects.order_by("pk").first()
    push(county_admin, entry_ids=[first.pk])
    both = list(LedgerEntry.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError) as exc:
        push(county_admin, entry_ids=both)
    assert "已下发，不能重复下发" in str(exc.value)
    assert Batch.objects.count() == 1 and Task.objects.count() == 1


def test_push_all_skips_pushed_entries_and_refuses_when_nothing_left(county_admin, ledger):
    ledger(GRID, GRID_2)
    push(county_admin, limit=1)
    push(county_admin)
    assert Task.objects.count() == 2
    with pytest.raises(ValidationError) as exc:
        push(county_admin)
    assert "没有可下发" in str(exc.value)


def test_only_county_pushes_and_only_to_its_own_townships(township_officer, county_admin,
                                                         ledger):
    ledger(GRID)
    with pytest.raises(PermissionDenied):
        push(township_officer)
    with pytest.raises(ValidationError):
        task_services.batch_push(actor=county_admin, year=Y,
                                 township=Region.objects.get(code="430181100000"))
    assert not Task.objects.exists()


def test_task_signed_by_a_township_that_does_not_own_it_is_refused(county_admin, ledger):
    ledger(GRID)
    batch = push(county_admin)
    other = factories.make_user("other_township", Role.TOWNSHIP_OFFICER, "430181100000")
    with pytest.raises(ValidationError) as exc:
        task_services.batch_sign(actor=other, batch=batch)
    assert "只能由该乡镇（街道）签领" in str(exc.value)
    with pytest.raises(ValidationError):
        task_services.task_sign(actor=other, task=Task.objects.get())
    assert Task.objects.get().status == TaskStatus.PUSHED


def test_grid_worker_outside_their_grids_cannot_be_assigned(county_admin, township_officer,
                                                            worker, neighbour_worker, ledger):
    ledger(GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    task = Task.objects.get()
    with pytest.raises(ValidationError) as exc:
        task_services.task_assign(actor=township_officer, task=task, worker=neighbour_worker)
    assert "只能分配给负责该网格的网格员" in str(exc.value)
    task.refresh_from_db()
    assert task.worker == worker


def test_visit_in_the_future_is_refused_and_nothing_written(county_admin, township_officer,
                                                            worker, ledger):
    ledger(GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    task = Task.objects.get()
    with pytest.raises(ValidationError) as exc:
        task_services.visit_record(actor=worker, task=task, visited_on=TODAY + dt.timedelta(days=1),
                                   method=Visit.Method.HOME, outcome=Visit.Outcome.INFORMED)
    assert "走访日期不能晚于今天" in str(exc.value)
    task.refresh_from_db()
    assert task.status == TaskStatus.SIGNED and not Visit.objects.exists()


def test_visit_before_signing_is_refused(county_admin, village_clerk, ledger):
    ledger(GRID)
    push(county_admin)
    with pytest.raises(ValidationError):
        task_services.visit_record(actor=village_clerk, task=Task.objects.get(), visited_on=TODAY,
                                   method="home", outcome="informed")


def test_two_staff_updating_one_task_at_once_one_wins_the_other_is_told(
        county_admin, township_officer, village_clerk, worker, ledger):
    ledger(GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    mine = Task.objects.get()
    theirs = Task.objects.get()          # the same task, loaded by a second clerk
    task_services.task_cannot_enrol(actor=worker, task=mine, reason=Reason.UNWILLING)
    with pytest.raises(ValidationError) as exc:
        task_services.task_mobilise(actor=village_clerk, task=theirs)
    assert "刚被其他人更新" in str(exc.value) and "无法参保" in str(exc.value)
    assert Task.objects.get().status == TaskStatus.CANNOT_ENROL


def test_a_worker_cannot_work_someone_elses_task(county_admin, township_officer, worker,
                                                 neighbour_worker, ledger):
    ledger(GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    with pytest.raises(PermissionDenied):
        task_services.visit_record(actor=neighbour_worker, task=Task.objects.get(), visited_on=TODAY,
                                   method="home", outcome="informed")


def test_scope_grid_worker_sees_only_own_tasks_township_only_its_own(
        county_admin, township_officer, worker, neighbour_worker, ledger):
    ledger(GRID, NEIGHBOUR_GRID, OTHER_GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    assert Task.objects.count() == 2
    mine = selectors.tasks_for(worker)
    assert [t.grid_id for t in mine] == [GRID]
    assert [t.grid_id for t in selectors.tasks_for(neighbour_worker)] == [NEIGHBOUR_GRID]
    other_township = factories.make_user("liuyang", Role.TOWNSHIP_OFFICER, "430181100000")
    assert not selectors.tasks_for(other_township).exists()
    assert selectors.tasks_for(township_officer).count() == 2


def test_substitute_takes_over_grids_and_open_tasks(county_admin, township_officer, worker,
                                                    ledger):
    ledger(GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    sub = factories.make_user("sub", Role.GRID_WORKER, GRID)
    record = grid_services.worker_substitute(actor=township_officer, leaving=worker, substitute=sub,
                                             on=TODAY, reason="外出务工")
    assert (record.grids_moved, record.tasks_moved) == (1, 1)
    assert Task.objects.get().worker == sub
    assert GridAssignment.objects.get(worker=worker).active is False
    assert GridAssignment.objects.get(worker=sub, active=True).grid_id == GRID
    assert WorkerSubstitution.objects.count() == 1


def test_grid_assign_refuses_duplicates_and_non_grids(township_officer, grid_worker):
    grid_services.grid_assign(actor=township_officer, grid=Region.objects.get(code=GRID),
                              worker=grid_worker)
    with pytest.raises(ValidationError):
        grid_services.grid_assign(actor=township_officer, grid=Region.objects.get(code=GRID),
                                  worker=grid_worker)
    with pytest.raises(ValidationError):
        grid_services.grid_assign(actor=township_officer, grid=Region.objects.get(code=VILLAGE),
                                  worker=grid_worker)


def test_overdue_counts_open_tasks_past_their_follow_up(county_admin, township_officer,
                                                       worker, ledger):
    ledger(GRID)
    task_services.batch_sign(actor=township_officer, batch=push(county_admin))
    Task.objects.update(follow_up_date=TODAY - dt.timedelta(days=1))
    assert feedback_row(county_admin)["overdue"] == 1


def test_target_is_set_by_the_level_above(county_admin, township_officer, make_person):
    from outreach.models import EnrollmentTarget

    make_person(GRID)
    target = campaign_services.target_set(actor=county_admin, region=Region.objects.get(code=TOWNSHIP),
                                          year=Y, target_count=100)
    assert target.resident_population == 1 and target.set_by == county_admin
    with pytest.raises(ValidationError):
        campaign_services.target_set(actor=township_officer, region=Region.objects.get(code=TOWNSHIP),
                                     year=Y, target_count=5)
    assert EnrollmentTarget.objects.get().target_count == 100


def test_campaign_daily_progress(county_admin, make_person):
    from outreach.models import CampaignDay

    p = make_person(GRID)
    campaign = campaign_services.campaign_create(
        actor=county_admin, name="2027年度全民参保集中宣传月", year=Y,
        region=Region.objects.get(code=COUNTY), start_date=dt.date(2026, 9, 1),
        end_date=dt.date(2026, 9, 30), targets={TOWNSHIP: 50})
    enroll(p, Y, paid_on=dt.date(2026, 9, 3))
    campaign_services.campaign_refresh_progress(campaign_id=campaign.pk)
    day = CampaignDay.objects.get()
    assert (day.region_id, day.day, day.enrollments) == (TOWNSHIP, dt.date(2026, 9, 3), 1)
