"""Reads of the read-only pages from a PostgreSQL streaming replica (`DATABASE_REPLICA_URL`).

Pages opt in one by one with `@replica_reads` (the dashboards and their exports, the ledger
export): for a GET or HEAD request their ORM reads go to the `replica` alias. Everything else
stays on the primary (`default`):
- every write, and every read inside a transaction on the primary (a service that reads, then
  writes, reads its own writes);
- every other page, so a clerk who has just saved sees the save on the next page;
- the accounts' tables (sessions, users, second-factor devices, lockouts): a login or a
  password change is read back at once on the next request, whatever the page.
Without `DATABASE_REPLICA_URL` there is no `replica` alias and the router never names it.
A replica lags by a fraction of a second to a few seconds; the opted-in pages read rollups and
lists that are themselves refreshed by jobs, so they tolerate it.
"""
from __future__ import annotations

import contextvars
import functools
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
# Read back at once by the request after the one that wrote them.
PRIMARY_ONLY_APPS = {"sessions", "auth", "contenttypes", "otp_totp", "otp_static", "axes",
                     "django_celery_beat"}

_active = contextvars.ContextVar("canbao_replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def using_replica():
    """Reads inside the block go to the replica (when one is configured)."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def replica_reads(view):
    """A read-only page: its GET and HEAD requests read from the replica."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            return view(request, *args, **kwargs)
        with using_replica():
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # a TemplateResponse's queries belong to the page too
            return response

    wrapper.reads_from_replica = True
    return wrapper


class ReplicaRouter:
    """DATABASE_ROUTERS: the replica for the reads of opted-in pages, the primary for the rest."""

    def db_for_read(self, model, **hints):
        # Always an answer: never Django's fallback to the database an instance came from.
        if not (_active.get() and configured()):
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS or \
                model._meta.label_lower == settings.AUTH_USER_MODEL.lower():
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # read-your-writes inside a transaction
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows, whichever copy they were read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None  # the replica follows the primary's schema
