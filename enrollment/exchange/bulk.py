"""The person file at province scale: streamed, checked in Python, staged with COPY, written
set-based (ARCHITECTURE.md "Scale").

    import_person_csv(path, ctx, workers=2, valid_only=False) -> BulkResult

1. The CSV on disk is cut into line-aligned byte ranges (`core.uploads.csv_parts`) and each
   range is read by a worker process, row by row (never the whole file in memory): the checks of
   `person_rows` (ID check digit, birth date and sex against the ID, regions exist and are in
   the importer's scope), the ID and phone encrypted and blind-indexed (`core.crypto`), and the
   rows COPYed into an UNLOGGED staging table. Encryption is most of a row's Python cost:
   two processes halve it on the 2-core machine (the benchmark compares with the simple way on
   as many processes). In the database, the 23 indexes of enrollment_person and the 19 of its
   history are most of the cost (docs/scale.md, "Imports").
2. In one transaction: what needs the whole file or the registry, one statement each: an ID
   twice in the file, an ID whose file is outside the importer's scope or merged. With problems
   and not `valid_only`, nothing is written (all or nothing per file).
3. Set-based writes: new households (INSERT … ON CONFLICT DO NOTHING), changed persons
   (UPDATE … FROM where something differs), new persons (INSERT … ON CONFLICT on the blind
   index DO NOTHING), each with its history rows in the same statement; the same rules as the
   batched ORM path (`person_write`), which the tests hold it to. A file large against the
   registry (the first load) is written with the secondary indexes dropped and built again
   before the commit (`index_rebuild`: when, and what it locks).

The audit trail. `AuditEntry` is "what a person did that the model history does not show"
(enrollment/audit_entry.py): so an import is ONE audit entry naming the importer, the file's
source and the counts, and the per-person trail is the model history, as for every other save
of a person: one historical row per person created or changed, with the importer as
`history_user` and the import as its reason, which the person's page lists. A million audit
rows repeating the history would double the write cost and say nothing more. Unchanged persons
get nothing (the same file twice changes nothing).

The staging table is a regular UNLOGGED table (the workers write it on their own connections,
which a TEMP table would hide), named per import and dropped at the end whatever happens.
SQLite has no COPY: `import_person_csv` falls back to the batched ORM path there.
"""
from __future__ import annotations

import io
import multiprocessing
import secrets
import time
from dataclasses import dataclass, field

from django.db import connection, connections, transaction

from core import crypto, uploads

from .. import scope
from ..audit import audit_record
from ..models import AuditEntry, Household, Person, Region
from . import index_rebuild
from .base import CheckedRow, Context, Outcome, RowProblem
from .person_rows import PersonRowChecker, duplicate_problem, elsewhere_problem, merged_problem
from .person_write import change_note, history_reason, name_initials

MAX_PROBLEMS = 1000  # problems listed per import; the count of rejected rows is always complete
BATCH = 5000  # rows per COPY and per ORM batch
STAGE_COLUMNS = ("row", "bidx", "id_type", "id_enc", "name", "initials", "sex", "birth",
                 "hukou", "residence", "household", "relation", "address", "phone_enc",
                 "phone_bidx")
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


@dataclass
class BulkResult:
    rows: int = 0
    outcome: Outcome = field(default_factory=Outcome)
    problems: list[RowProblem] = field(default_factory=list)  # at most MAX_PROBLEMS
    rejected: int = 0  # rows with at least one problem
    written: bool = False
    seconds: dict = field(default_factory=dict)  # per phase, for the benchmark
    indexes_rebuilt: bool = False  # written first, indexed after (index_rebuild.py)


class _Encoder:
    """A checked row as one line of COPY text (encrypting in the process that calls it)."""

    def __init__(self):
        self.encrypt, self.index = crypto.encrypter(), crypto.indexer()

    def line(self, row: int, v: dict) -> str:
        def text(value):
            return "\\N" if value is None else value.translate(_COPY_ESCAPE)

        number, phone = v["id_number"], v["phone"]
        return "\t".join((
            str(row), self.index(number), v["id_type"], self.encrypt(number), text(v["name"]),
            text(name_initials(v["name"])), v["sex"], v["birth_date"].isoformat(), v["hukou"],
            text(v["residence"]), text(v["household"]), text(v["relation"]),
            text(v["address"]), self.encrypt(phone) if phone else "\\N",
            self.index(phone) if phone else "\\N")) + "\n"


def _create_stage(cursor) -> str:
    table = f"exchange_stage_{secrets.token_hex(6)}"
    cursor.execute(
        f"CREATE UNLOGGED TABLE {table} (row integer NOT NULL, bidx varchar(64) NOT NULL, "
        "id_type varchar(20) NOT NULL, id_enc text NOT NULL, name varchar(50) NOT NULL, "
        "initials varchar(20) NOT NULL, sex varchar(1) NOT NULL, birth date NOT NULL, "
        "hukou varchar(15) NOT NULL, residence varchar(15), household varchar(30), "
        "relation varchar(20), address varchar(200), phone_enc text, phone_bidx varchar(64))")
    return table


def _copy(cursor, table: str, buffer: io.StringIO) -> None:
    with cursor.cursor.copy(f"COPY {table} ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


# --- The worker: read a part, check, encrypt, COPY ------------------------------------------

_job: dict = {}  # set by the parent before forking; the workers read it (copy-on-write)


def _stage_part(part: uploads.CsvPart) -> tuple[int, int, list[RowProblem]]:
    """(rows read, rows rejected, the first problems) of one part, its good rows staged."""
    checker = PersonRowChecker(regions=_job["regions"], prefix=_job["prefix"],
                               today=_job["today"])
    headers, table, encoder = _job["headers"], _job["table"], _Encoder()
    rows = rejected = 0
    problems: list[RowProblem] = []
    buffer, pending = io.StringIO(), 0
    with connection.cursor() as cursor:
        for number, cells in uploads.iter_csv_part(part):
            rows += 1
            values, found = checker.check(number, dict(zip(headers, cells)))
            if found:
                rejected += 1
                problems.extend(found[:MAX_PROBLEMS - len(problems)])
                continue
            buffer.write(encoder.line(number, values))
            pending += 1
            if pending >= BATCH:
                _copy(cursor, table, buffer)
                buffer, pending = io.StringIO(), 0
        if pending:
            _copy(cursor, table, buffer)
    return rows, rejected, problems


def _child_init() -> None:
    connections.close_all()  # never share the parent's socket


def _stage_file(headers, parts, table: str, workers: int) -> tuple[int, int, list[RowProblem]]:
    _job["headers"] = headers
    _job["table"] = table
    if workers > 1 and len(parts) > 1:
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(len(parts), _child_init) as pool:
            results = pool.map(_stage_part, parts, chunksize=1)
    else:
        results = [_stage_part(p) for p in parts]
    problems = [p for r in results for p in r[2]]
    return sum(r[0] for r in results), sum(r[1] for r in results), problems[:MAX_PROBLEMS]


# --- Whole-file and registry checks, one statement each --------------------------------------

def _file_problems(cursor, table: str, prefix: str) -> list[tuple[int, RowProblem]]:
    cursor.execute(f"SELECT row, first FROM (SELECT row, min(row) OVER (PARTITION BY bidx) "
                   f"AS first FROM {table}) d WHERE row <> first ORDER BY row")
    found = [(row, duplicate_problem(row, first)) for row, first in cursor.fetchall()]
    cursor.execute(f"SELECT s.row, p.merged_into_id FROM {table} s JOIN enrollment_person p "
                   "ON p.id_number_bidx = s.bidx WHERE p.merged_into_id IS NOT NULL OR NOT "
                   "(p.residence_region_id LIKE %s OR p.hukou_region_id LIKE %s) ORDER BY s.row",
                   [prefix + "%", prefix + "%"])
    found += [(row, merged_problem(row, into) if into else elsewhere_problem(row))
              for row, into in cursor.fetchall()]
    return found


# --- Set-based writes ------------------------------------------------------------------------

def _history_columns(model) -> list[str]:
    return [f.column for f in model.history.model._meta.concrete_fields
            if not f.column.startswith("history_")]


def upsert_stage(cursor, table: str, ctx: Context) -> Outcome:
    """Write what the staging table holds (the caller holds the transaction)."""
    who = {"reason": history_reason(ctx), "user": getattr(ctx.actor, "pk", None)}
    hist_tail = ("history_date, history_change_reason, history_type, history_user_id")
    h_cols = ", ".join(_history_columns(Household))
    cursor.execute(
        f"WITH ins AS (INSERT INTO enrollment_household (number, head_name, region_id, address, "
        f"phone, created_at) SELECT DISTINCT ON (s.household) s.household, s.name, s.hukou, "
        f"coalesce(s.address, ''), '', now() FROM {table} s WHERE s.household IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM enrollment_household h WHERE h.number = s.household) "
        "ORDER BY s.household, (s.relation = 'head') DESC NULLS LAST, s.row "
        "ON CONFLICT (number) DO NOTHING RETURNING *) "
        f"INSERT INTO enrollment_historicalhousehold ({h_cols}, {hist_tail}) "
        f"SELECT {h_cols}, now(), %(reason)s, '+', %(user)s FROM ins", who)
    changed = f"{table}_changed"
    cursor.execute(
        f"CREATE TEMP TABLE {changed} AS SELECT p.id, s.row, h.id AS household_id, "
        "(s.phone_bidx IS NOT NULL AND p.phone_bidx IS DISTINCT FROM s.phone_bidx) AS phone, "
        "p.name AS o_name, p.sex AS o_sex, p.birth_date AS o_birth, p.hukou_region_id AS o_hukou, "
        "p.residence_region_id AS o_residence, p.household_id AS o_household, "
        "p.relation_to_head AS o_relation, p.address AS o_address "
        f"FROM {table} s JOIN enrollment_person p ON p.id_number_bidx = s.bidx "
        "LEFT JOIN enrollment_household h ON h.number = s.household "
        "WHERE p.name <> s.name OR p.sex <> s.sex OR p.birth_date <> s.birth "
        "OR p.hukou_region_id <> s.hukou "
        "OR (s.residence IS NOT NULL AND p.residence_region_id <> s.residence) "
        "OR (s.household IS NOT NULL AND p.household_id IS DISTINCT FROM h.id) "
        "OR (s.relation IS NOT NULL AND p.relation_to_head <> s.relation) "
        "OR (s.address IS NOT NULL AND p.address <> s.address) "
        "OR (s.phone_bidx IS NOT NULL AND p.phone_bidx IS DISTINCT FROM s.phone_bidx)")
    outcome = Outcome()
    try:
        _note_changes(cursor, table, changed, outcome)
        cursor.execute(
            "UPDATE enrollment_person p SET name = s.name, name_initials = s.initials, "
            "sex = s.sex, birth_date = s.birth, hukou_region_id = s.hukou, "
            "residence_region_id = coalesce(s.residence, p.residence_region_id), "
            "household_id = CASE WHEN s.household IS NULL THEN p.household_id "
            "ELSE c.household_id END, relation_to_head = coalesce(s.relation, p.relation_to_head), "
            "address = coalesce(s.address, p.address), "
            "phone = CASE WHEN c.phone THEN s.phone_enc ELSE p.phone END, "
            "phone_bidx = CASE WHEN c.phone THEN s.phone_bidx ELSE p.phone_bidx END, "
            f"updated_at = now(), inputs_changed_at = now() FROM {changed} c "
            f"JOIN {table} s ON s.row = c.row WHERE p.id = c.id")
        outcome.updated = cursor.rowcount
        p_cols = ", ".join(_history_columns(Person))
        p_sel = ", ".join(f"p.{c}" for c in _history_columns(Person))
        cursor.execute(
            f"INSERT INTO enrollment_historicalperson ({p_cols}, {hist_tail}) "
            f"SELECT {p_sel}, now(), %(reason)s, '~', %(user)s FROM enrollment_person p "
            f"JOIN {changed} c ON c.id = p.id", who)
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {changed}")
    cursor.execute(
        "WITH ins AS (INSERT INTO enrollment_person (id_type, id_number, id_number_bidx, name, "
        "name_initials, sex, birth_date, phone, phone_bidx, hukou_region_id, "
        "residence_region_id, address, household_id, relation_to_head, life_status, "
        "life_status_source, created_at, updated_at, inputs_changed_at) "
        "SELECT s.id_type, s.id_enc, s.bidx, s.name, s.initials, s.sex, s.birth, "
        "coalesce(s.phone_enc, ''), s.phone_bidx, s.hukou, coalesce(s.residence, s.hukou), "
        "coalesce(s.address, ''), h.id, coalesce(s.relation, ''), 'alive', '', now(), now(), "
        f"now() FROM {table} s LEFT JOIN enrollment_household h ON h.number = s.household "
        "WHERE NOT EXISTS (SELECT 1 FROM enrollment_person p WHERE p.id_number_bidx = s.bidx) "
        "ON CONFLICT (id_number_bidx) DO NOTHING RETURNING *) "
        f"INSERT INTO enrollment_historicalperson ({p_cols}, {hist_tail}) "
        f"SELECT {p_cols}, now(), %(reason)s, '+', %(user)s FROM ins", who)
    outcome.created = cursor.rowcount
    cursor.execute(f"SELECT count(*) FROM {table}")
    outcome.unchanged = cursor.fetchone()[0] - outcome.created - outcome.updated
    return outcome


def _note_changes(cursor, table: str, changed: str, outcome: Outcome) -> None:
    from .base import MAX_CHANGES

    cursor.execute(
        f"SELECT s.name, c.o_name, s.sex, c.o_sex, s.birth, c.o_birth, s.hukou, c.o_hukou, "
        "s.residence, c.o_residence, s.household, c.household_id, c.o_household, s.relation, "
        "c.o_relation, s.address, c.o_address, c.phone "
        f"FROM {changed} c JOIN {table} s ON s.row = c.row ORDER BY c.row LIMIT %s",
        [MAX_CHANGES])
    for (name, o_name, sex, o_sex, birth, o_birth, hukou, o_hukou, residence, o_residence,
         household, household_id, o_household, relation, o_relation, address, o_address,
         phone) in cursor.fetchall():
        diffs = [(f, old, new) for f, old, new in (
            ("name", o_name, name), ("sex", o_sex, sex), ("birth_date", o_birth, birth),
            ("hukou", o_hukou, hukou), ("residence", o_residence, residence),
            ("relation", o_relation, relation), ("address", o_address, address))
            if new is not None and old != new]
        if household is not None and household_id != o_household:
            diffs.append(("household", o_household, household))
        if phone:
            diffs.append(("phone", None, None))
        outcome.note(change_note(name, diffs))


def apply_checked(rows: list[CheckedRow], ctx: Context) -> Outcome:
    """The feed kind's many-rows path: checked rows staged with COPY and written set-based
    (the caller holds the transaction and has run the checks)."""
    encoder = _Encoder()
    with connection.cursor() as cursor:
        table = _create_stage(cursor)
        try:
            for start in range(0, len(rows), BATCH):
                buffer = io.StringIO()
                for r in rows[start:start + BATCH]:
                    buffer.write(encoder.line(r.row, r.values))
                _copy(cursor, table, buffer)
            cursor.execute(f"ANALYZE {table}")
            return upsert_stage(cursor, table, ctx)
        finally:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


# --- The whole import ------------------------------------------------------------------------

def _region_codes(prefix: str | None) -> set[str]:
    """Every region code (a province has some hundred thousand villages and grids: a few MB),
    so that a worker can tell "does not exist" from "outside your scope" without a query."""
    return set(Region.objects.values_list("code", flat=True)) if prefix is not None else set()


def import_person_csv(path, ctx: Context, *, workers: int = 2,
                      valid_only: bool = False) -> BulkResult:
    """Check and import a 公安 person CSV on disk; see the module docstring. With problems and
    not `valid_only`, writes nothing and returns them (`written` False)."""
    scope.require_write(ctx.actor)
    if connection.vendor != "postgresql":
        return _import_orm(path, ctx, valid_only=valid_only)
    if connection.in_atomic_block or multiprocessing.current_process().daemon:
        workers = 1  # the workers could not see a table created inside the caller's transaction
    headers, parts = _parts(path, workers)
    prefix = scope.region_prefix(ctx.actor)
    _job.update(regions=_region_codes(prefix), prefix=prefix, today=ctx.today)
    result = BulkResult()
    with connection.cursor() as cursor:
        table = _create_stage(cursor)
    try:
        started = time.perf_counter()
        result.rows, result.rejected, result.problems = _stage_file(headers, parts, table,
                                                                    workers)
        result.seconds["read, check, encrypt, COPY"] = time.perf_counter() - started
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(f"ANALYZE {table}")
            found = _file_problems(cursor, table, prefix or "")
            result.seconds["duplicates and scope in SQL"] = time.perf_counter() - started
            if found:
                result.rejected += len(found)
                result.problems = sorted(result.problems + [p for _, p in found],
                                         key=lambda p: p.row)[:MAX_PROBLEMS]
            if result.rejected and not valid_only:
                return result
            if found:
                cursor.execute(f"DELETE FROM {table} WHERE row = ANY(%s)",
                               [[row for row, _ in found]])
            started = time.perf_counter()
            with index_rebuild.indexes_after(cursor, stage=table) as rebuilt:
                result.outcome = upsert_stage(cursor, table, ctx)
            result.indexes_rebuilt = rebuilt
            _audit(ctx, result)
            result.written = True
            result.seconds["upsert, history, audit"] = time.perf_counter() - started
    finally:
        _job.clear()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    return result


def _parts(path, workers: int):
    """The file's header and parts; a file without a required column is refused whole."""
    from .base import feed

    headers, parts = uploads.csv_parts(path, workers)
    missing = feed("persons").missing_headers(headers)
    if missing:
        raise uploads.UploadError(f"文件缺少必填列：{'、'.join(missing)}。请下载模板，按模板的"
                                  "列名填写后重新上传。")
    return headers, parts


def _audit(ctx: Context, result: BulkResult) -> None:
    o = result.outcome
    audit_record(user=ctx.actor, action=AuditEntry.Action.IMPORT, request=ctx.request,
                 obj=ctx.source or "公安户籍人员名单",
                 detail=f"导入人员名单：共{result.rows}行，新增{o.created}，更新{o.updated}，"
                        f"未变{o.unchanged}，拒绝{result.rejected}"
                        + (f"；来源：{ctx.source}" if ctx.source else ""))


def _import_orm(path, ctx: Context, *, valid_only: bool) -> BulkResult:
    """SQLite: the same checks and writes through the feed kind, in batches, two passes over the
    file (check everything, then write), one transaction."""
    from .base import feed

    kind, result = feed("persons"), BulkResult()
    headers, parts = _parts(path, 1)

    def batches():
        batch = []
        for part in parts:
            for number, cells in uploads.iter_csv_part(part):
                batch.append((number, dict(zip(headers, cells))))
                if len(batch) >= BATCH:
                    yield batch
                    batch = []
        if batch:
            yield batch

    seen: dict[str, int] = {}
    bad: set[int] = set()
    for batch in batches():
        result.rows += len(batch)
        checked, problems = kind.check_rows(batch, ctx)
        for r in checked:
            if r.key in seen:
                problems.append(duplicate_problem(r.row, seen[r.key]))
            else:
                seen[r.key] = r.row
        bad |= {p.row for p in problems}
        result.problems.extend(problems[:MAX_PROBLEMS - len(result.problems)])
    result.rejected = len(bad)
    result.problems.sort(key=lambda p: p.row)
    if result.rejected and not valid_only:
        return result
    with transaction.atomic():
        for batch in batches():
            checked, _ = kind.check_rows(batch, ctx)
            result.outcome.add(kind.apply([r for r in checked if r.row not in bad], ctx))
        _audit(ctx, result)
    result.written = True
    return result
