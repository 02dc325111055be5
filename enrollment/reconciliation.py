"""Reconciling the registry against other departments' lists (信息比对, seed 004 §5, 001 §10).

Three lists come in every month as Excel or CSV files:
- deaths (民政火化 / 公安销户): the person is marked deceased and live enrollments of later
  years are stopped;
- household moves out of the region (公安户籍迁出): the person is marked moved out;
- enrollments elsewhere (other pooling regions, the employee scheme, from the provincial
  platform): recorded as enrollments elsewhere, which ends the local resident enrollment
  (R-AUTO-STOP) and takes the person off the un-enrolled ledger.

Every row is checked and shown in a preview before anything is written; applying writes only
the rows that matched, in one transaction, and the preview lists every other row with its
reason so nothing is silently skipped.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from core import uploads
from core.calendar import YEAR_MIN
from core.uploads import Table

from . import idnumbers, scope
from .audit import audit_record
from .models import AuditEntry, Enrollment, LifeStatus, LIVE_STATUSES, Person, Region, Scheme

KINDS = {
    "deaths": ("死亡人员名单", ["证件号码", "姓名", "死亡日期", "数据来源"]),
    "moves": ("户籍迁出名单", ["证件号码", "姓名", "迁出日期", "迁往地"]),
    "elsewhere": ("异地/职工参保名单", ["证件号码", "姓名", "年度", "险种", "参保地区划代码"]),
}
SCHEME_WORDS = {"居民": Scheme.RESIDENT, "城乡居民医保": Scheme.RESIDENT, "resident": Scheme.RESIDENT,
                "职工": Scheme.EMPLOYEE, "职工医保": Scheme.EMPLOYEE, "employee": Scheme.EMPLOYEE}


@dataclass
class Row:
    number: int  # the row number in the file (header is row 1)
    values: dict
    status: str = "ok"  # ok / error / skip
    message: str = ""
    person_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def masked_id(self) -> str:
        return idnumbers.mask(str(self.values.get("证件号码", "")))

    @property
    def name(self) -> str:
        return self.values.get("姓名", "")


def read_table(upload) -> Table:
    """The uploaded .xlsx or .csv (UTF-8, BOM or GB18030) as a header and numbered rows."""
    try:
        return uploads.read_table(upload.read(), upload.name or "")
    except uploads.UploadError as exc:
        raise ValidationError({"file": exc.messages}) from None


def _date(value, label) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}“{value}”不是有效日期，请按 2026-01-31 的格式填写") from None


def check_header(kind: str, table: Table) -> None:
    required = KINDS[kind][1]
    if not table.rows:
        raise ValidationError({"file": "文件中没有数据行。"})
    present = set(table.headers)
    missing = [h for h in required if h not in present]
    if missing:
        raise ValidationError({"file": "文件缺少列：" + "、".join(missing) +
                                       "。请使用模板的表头：" + "、".join(required)})


def preview(*, actor, kind: str, table: Table, today: dt.date) -> list[Row]:
    """Check every row; nothing is written."""
    check_header(kind, table)
    rows = [Row(number=line.number, values={k: str(v).strip() if not isinstance(v, (dt.date,))
                                            else v.isoformat() for k, v in r.items()})
            for line, r in zip(table.rows, table.dicts())]
    numbers = {}
    for row in rows:
        try:
            numbers[row.number] = idnumbers.parse(row.values.get("证件号码", "")).number
        except idnumbers.IdNumberError as exc:
            row.status, row.message = "error", f"证件号码：{exc.message}"
    persons = {p.id_number: p for p in scope.filter_persons(
        actor, Person.objects.filter(id_number__in=set(numbers.values())))}
    seen = set()
    for row in rows:
        if row.status == "error":
            continue
        number = numbers[row.number]
        if number in seen:
            row.status, row.message = "error", "与前面的行重复"
            continue
        seen.add(number)
        person = persons.get(number)
        if person is None:
            row.status, row.message = "skip", "本辖区没有此人的档案"
            continue
        row.person_id = person.pk
        if row.values.get("姓名") and row.values["姓名"] != person.name:
            row.status, row.message = "error", f"姓名与档案不符（档案为{person.name}）"
            continue
        try:
            CHECKS[kind](row, person, today)
        except ValueError as exc:
            row.status, row.message = "error", str(exc)
    return rows


def _check_death(row: Row, person: Person, today: dt.date) -> None:
    day = _date(row.values.get("死亡日期"), "死亡日期")
    if day > today or day < person.birth_date:
        raise ValueError("死亡日期不合理（晚于今天或早于出生日期）")
    if person.life_status == LifeStatus.DECEASED:
        row.status, row.message = "skip", "档案已标记死亡"
        return
    row.extra = {"on": day.isoformat(), "source": row.values.get("数据来源") or "部门比对"}
    row.message = f"标记死亡（{day}），停止{day.year + 1}年起的参保登记"


def _check_move(row: Row, person: Person, today: dt.date) -> None:
    day = _date(row.values.get("迁出日期"), "迁出日期")
    if day > today:
        raise ValueError("迁出日期晚于今天")
    if person.life_status != LifeStatus.ALIVE:
        row.status, row.message = "skip", f"档案状态已是{person.get_life_status_display()}"
        return
    row.extra = {"on": day.isoformat(), "source": f"户籍迁出至{row.values.get('迁往地', '')}"}
    row.message = f"标记迁出（{day}）"


def _check_elsewhere(row: Row, person: Person, today: dt.date) -> None:
    try:
        year = int(str(row.values.get("年度")).strip())
    except ValueError:
        raise ValueError(f"年度“{row.values.get('年度')}”应为四位年份") from None
    if not YEAR_MIN <= year <= today.year + 1:
        raise ValueError(f"年度{year}超出范围")
    scheme = SCHEME_WORDS.get(str(row.values.get("险种")).strip())
    if scheme is None:
        raise ValueError("险种应为“居民”或“职工”")
    code = str(row.values.get("参保地区划代码")).strip()
    if not Region.objects.filter(code=code).exists():
        raise ValueError(f"参保地区划代码{code}不存在")
    row.extra = {"year": year, "scheme": scheme, "region": code}
    if _already_recorded(person, row.extra):
        row.status, row.message, row.extra = "skip", "该异地参保记录已登记", {}
        return
    local = Enrollment.objects.filter(person=person, year=year, scheme=Scheme.RESIDENT,
                                      elsewhere=False, status__in=LIVE_STATUSES).exists()
    row.message = (f"登记{year}年在{code}的{'职工' if scheme == Scheme.EMPLOYEE else '居民'}参保"
                   + ("；本地居民参保重复，将自动停保（R-AUTO-STOP）" if local else ""))


def _already_recorded(person: Person, extra: dict) -> bool:
    return Enrollment.objects.filter(person=person, year=extra["year"], scheme=extra["scheme"],
                                     elsewhere=True, pooling_region_id=extra["region"],
                                     status__in=LIVE_STATUSES).exists()


CHECKS = {"deaths": _check_death, "moves": _check_move, "elsewhere": _check_elsewhere}


@transaction.atomic
def apply(*, actor, kind: str, rows: list[Row], request=None) -> int:
    """Write the rows that passed the preview; returns how many were applied."""
    from . import services

    scope.require_write(actor)
    ok = [r for r in rows if r.status == "ok"]
    persons = {p.pk: p for p in scope.filter_persons(
        actor, Person.objects.filter(pk__in=[r.person_id for r in ok]))}
    applied = 0
    for row in ok:
        person = persons.get(row.person_id)
        if person is None:  # scope changed between preview and apply
            continue
        if kind == "elsewhere":
            if _already_recorded(person, row.extra):  # since the preview, or a resent list
                continue
            services.enrollment_record(
                actor=actor, person=person, year=row.extra["year"], scheme=row.extra["scheme"],
                pooling_region=Region.objects.get(code=row.extra["region"]), elsewhere=True,
                cover_start=dt.date(row.extra["year"], 1, 1), channel="tax_record",
                confirmed=True, request=request)
        else:
            on = dt.date.fromisoformat(row.extra["on"])
            status = LifeStatus.DECEASED if kind == "deaths" else LifeStatus.MOVED_OUT
            services.person_mark_life_status(actor=actor, person=person, status=status, on=on,
                                             source=row.extra["source"], request=request)
        applied += 1
    audit_record(user=actor, action=AuditEntry.Action.IMPORT, request=request,
                 detail=f"{KINDS[kind][0]}比对：应用 {applied} 行，共 {len(rows)} 行")
    return applied


def rows_to_json(rows: list[Row]) -> list[dict]:
    return [asdict(r) for r in rows]


def rows_from_json(data: list[dict]) -> list[Row]:
    return [Row(**d) for d in data]
