"""Outreach demo: grid workers on every grid (the demo user `grid_worker` on both grids of
东山村), ledgers for 2026 and 2027 (the demo histories end in 2026, so 2027 is where the
concentrated period of Sep–Dec 2026 collects), pushed batches, visits, outcomes, a September
campaign and yearly targets. Called by `manage.py seed_demo` after the registry demo."""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from enrollment import regions
from enrollment.models import Enrollment, EnrollmentStatus, Region, Role, Scheme, User

from .services import campaigns as campaign_services
from .services import ledger as ledger_services
from .services import tasks as task_services
from .models import GridAssignment, Reason, Task, TaskStatus, Visit

DEMO_WORKER_GRIDS = ["430121100001001", "430121100001002"]


def _workers(rng) -> dict[str, User]:
    """One grid worker per grid; `grid_worker` holds both grids of 东山村."""
    demo = User.objects.get(username="grid_worker")
    password = make_password("canbao-demo")
    grids = list(Region.objects.filter(level=regions.GRID).order_by("code"))
    users = [User(username=f"gw{g.code[4:]}", last_name="网格员", first_name=g.name[-4:],
                  role=Role.GRID_WORKER, region=g, password=password)
             for g in grids if g.code not in DEMO_WORKER_GRIDS]
    User.objects.bulk_create(users)
    by_grid = {u.region_id: u for u in User.objects.filter(role=Role.GRID_WORKER)
               .exclude(pk=demo.pk)}
    for code in DEMO_WORKER_GRIDS:
        by_grid[code] = demo
    start = dt.date(2025, 3, 1)
    GridAssignment.objects.bulk_create([GridAssignment(grid_id=code, worker=w, start_date=start)
                                        for code, w in by_grid.items()])
    return by_grid


def _work(rng, tasks, worker_of, today, *, enroll_year: int):
    """Visits and outcomes on signed tasks: some visited, some mobilised, some enrolled, some
    cannot enrol; the rest stay open with follow-up dates."""
    for index, task in enumerate(tasks):
        worker = task.worker or worker_of.get(task.grid_id)
        if worker is None:
            continue
        roll = rng.random()
        if roll < 0.25:          # not visited yet, follow up soon
            Task.objects.filter(pk=task.pk).update(
                follow_up_date=today + dt.timedelta(days=rng.randint(-3, 10)))
            continue
        task.refresh_from_db()
        task_services.visit_record(
            actor=worker, task=task, visited_on=today - dt.timedelta(days=rng.randint(2, 20)),
            method=rng.choice(Visit.Method.values),
            outcome=rng.choice([Visit.Outcome.INFORMED, Visit.Outcome.NOT_MET]),
            note=rng.choice(["户主在外务工，已留宣传资料", "已讲解缴费标准和待遇", "家中老人在，子女外出",
                             "电话无人接听"]),
            next_follow_up=today + dt.timedelta(days=rng.randint(-2, 14)))
        if roll < 0.5:
            continue
        task.refresh_from_db()
        if roll < 0.7:
            task_services.visit_record(actor=worker, task=task, visited_on=today,
                                       method=Visit.Method.PHONE, outcome=Visit.Outcome.AGREED,
                                       note="同意在集中缴费期内缴费",
                                       next_follow_up=today + dt.timedelta(days=rng.randint(1, 7)))
        elif roll < 0.85:
            person = task.entry.person
            Enrollment.objects.create(
                person=person, year=enroll_year, scheme=Scheme.RESIDENT,
                pooling_region_id=regions.ancestor_code(person.residence_region_id,
                                                        regions.COUNTY),
                status=EnrollmentStatus.ACTIVE, channel="wallet", in_concentrated_period=True,
                paid_on=today - dt.timedelta(days=rng.randint(0, 10)),
                amount_paid=Decimal("420"))  # the ledger receiver completes the task
        else:
            reason = rng.choice([Reason.ELSEWHERE, Reason.UNWILLING, Reason.HARDSHIP,
                                 Reason.UNREACHABLE, Reason.EMPLOYEE])
            task_services.task_cannot_enrol(actor=worker, task=task, reason=reason,
                                            note="广东深圳务工参保" if reason == Reason.ELSEWHERE else "")


def _push(**kwargs):
    """A batch, or None where a small demo has nobody left to push there."""
    from django.core.exceptions import ValidationError

    try:
        return task_services.batch_push(**kwargs)
    except ValidationError:
        return None


def seed(*, seed: int) -> dict:
    rng = random.Random(seed + 5)
    today = timezone.localdate()
    admin = User.objects.get(username="admin")
    county_admin = User.objects.get(username="county_admin")
    township = User.objects.get(username="township_staff")
    worker_of = _workers(rng)
    city = Region.objects.get(code="430100000000")
    summary = {"grid_workers": len(set(w.pk for w in worker_of.values()))}
    for year in (2026, 2027):
        summary[f"ledger_{year}"] = ledger_services.ledger_generate(actor=admin, year=year,
                                                                    region=city)["added"]
    xingsha = Region.objects.get(code="430121100000")
    # 2027: a batch for 东山村 (grid_worker's two grids) and one for 西湖社区.
    batch = _push(actor=county_admin, year=2027, township=xingsha,
                  village=Region.objects.get(code="430121100001"), limit=60,
                  due_date=today + dt.timedelta(days=30),
                  note="2027年度集中参保期未参保人员精准摸排")
    batch2 = _push(actor=county_admin, year=2027, township=xingsha,
                   village=Region.objects.get(code="430121100002"), limit=40,
                   due_date=today + dt.timedelta(days=30))
    for b in filter(None, (batch, batch2)):
        task_services.batch_sign(actor=township, batch=b)
        _work(rng, list(b.tasks.select_related("entry__person").order_by("pk")), worker_of,
              today, enroll_year=2027)
    # A third batch still waiting to be signed, for the sign screen.
    _push(actor=county_admin, year=2027, township=xingsha,
          village=Region.objects.get(code="430121100003"), limit=25,
          due_date=today + dt.timedelta(days=20))
    # 2026 (the year in course): a smaller batch, worked and partly reported.
    old = _push(actor=county_admin, year=2026, township=xingsha, limit=20,
                due_date=today + dt.timedelta(days=10))
    if old is not None:
        task_services.batch_sign(actor=township, batch=old)
        _work(rng, list(old.tasks.select_related("entry__person").order_by("pk")), worker_of,
              today, enroll_year=2026)
        if old.tasks.filter(status__in=[TaskStatus.ENROLLED, TaskStatus.CANNOT_ENROL]).exists():
            task_services.batch_report(actor=township, batch=old)
    campaign = campaign_services.campaign_create(
        actor=county_admin, name="2027年度基本医保全民参保集中宣传月", year=2027,
        region=Region.objects.get(code="430121000000"), start_date=dt.date(today.year, 9, 1),
        end_date=dt.date(today.year, 12, 31),
        targets={t.code: 800 for t in Region.objects.filter(
            code__startswith="430121", level=regions.TOWNSHIP)})
    campaign_services.campaign_refresh_progress(campaign_id=campaign.pk)
    for t in Region.objects.filter(code__startswith="430121", level=regions.TOWNSHIP):
        campaign_services.target_set(actor=county_admin, region=t, year=2027,
                                     target_rate=Decimal("95.00"))
    for c in ("430121000000", "430181000000"):
        campaign_services.target_set(actor=admin, region=Region.objects.get(code=c), year=2027,
                                     target_rate=Decimal("95.00"))
    summary["tasks"] = Task.objects.count()
    summary["open_tasks_grid_worker"] = Task.objects.filter(
        worker__username="grid_worker", status__in=[TaskStatus.SIGNED,
                                                    TaskStatus.INVESTIGATING,
                                                    TaskStatus.MOBILISED]).count()
    return summary
