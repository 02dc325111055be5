"""What every bench script does before it measures: find the project, create its PostgreSQL
database when missing, set Django up against it, and say the load average beside each figure
(the machine is shared, so a figure without it means little)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def loadavg() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def ensure_database(url: str) -> None:
    """Create the database a postgres:// URL names, unless it exists (the bench databases are
    made on first use)."""
    import psycopg
    from urllib.parse import urlparse

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(url: str | None = None) -> None:
    """Django on `url` (None: whatever DATABASE_URL says), tasks inline, no query log."""
    if url is not None:
        os.environ["DATABASE_URL"] = url
    os.environ.pop("REDIS_URL", None)  # tasks run inline: the bench drives its own work
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log while timing (static storage stays the dev one)


def migrated_database(url: str) -> None:
    """The bench's database ready to load: created when missing, Django on it, migrated."""
    ensure_database(url)
    setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
