"""make backup / make restore: a dump restored into a fresh database holds every row."""
import os
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from enrollment.models import Person

ROOT = Path(__file__).resolve().parents[2]

needs_postgres = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="backups are pg_dump/pg_restore: set DATABASE_URL to PostgreSQL to run this",
    ),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]


def _url(name):
    s = connection.settings_dict
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgresql://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def _counts(cursor):
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


@needs_postgres[0]
@needs_postgres[1]
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_then_restore_into_a_fresh_database_finds_every_row(make_person, tmp_path):
    import psycopg

    people = [make_person() for _ in range(5)]
    source = connection.settings_dict["NAME"]
    env = dict(os.environ, DATABASE_URL=_url(source), BACKUP_DIR=str(tmp_path))

    backup = subprocess.run(["make", "-s", "backup"], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.parent == tmp_path and dump.suffix == ".dump" and dump.stat().st_size > 0
    assert (tmp_path / (dump.name + ".sha256")).exists()

    target = f"canbao_restore_{uuid.uuid4().hex[:10]}"
    try:
        restore = subprocess.run(["make", "-s", "restore", f"DUMP={dump}", f"DB={target}"],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
        assert restore.returncode == 0, restore.stderr

        with connection.cursor() as cursor:
            expected = _counts(cursor)
        with psycopg.connect(_url(target)) as restored, restored.cursor() as cursor:
            assert _counts(cursor) == expected
            cursor.execute(f"SELECT id, name FROM {Person._meta.db_table} ORDER BY id")
            assert cursor.fetchall() == sorted((p.pk, p.name) for p in people)

        again = subprocess.run(["make", "-s", "restore", f"DUMP={dump}", f"DB={target}"],
                               cwd=ROOT, env=env, capture_output=True, text=True)
        assert again.returncode != 0 and "已存在" in again.stderr
    finally:
        with psycopg.connect(_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')


def test_restore_refuses_a_dump_whose_checksum_does_not_match(tmp_path):
    dump = tmp_path / "canbao-x.dump"
    dump.write_bytes(b"not a dump")
    (tmp_path / "canbao-x.dump.sha256").write_text("0" * 64 + "  canbao-x.dump\n")
    # The check comes before any connection: this server does not exist.
    env = dict(os.environ, DATABASE_URL="postgres://nobody@127.0.0.1:1/canbao")
    result = subprocess.run([str(ROOT / "deploy/restore.sh"), str(dump), "canbao_never"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 3
    assert "校验失败" in result.stderr
