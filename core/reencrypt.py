"""Rewrite encrypted columns table by table, in primary-key batches, with plain SQL that runs
on SQLite and PostgreSQL alike: the data migrations (plain → ciphertext and back) and
``manage.py rotate_keys`` (ciphertext under any key → ciphertext under the current key, blind
indexes recomputed). Raw SQL because the model fields would decrypt on read, and a migration
meets plain text there."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from . import crypto

BATCH = 2000


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    columns: tuple[str, ...]                   # encrypted columns
    indexes: dict[str, str] = field(default_factory=dict)  # index column -> its source column


def _convert(mode: str, value, ring):
    if not value:
        return value
    if mode == "encrypt":
        return value if crypto.is_encrypted(value) else crypto.encrypt(value, ring)
    plain = crypto.decrypt(value, ring) if crypto.is_encrypted(value) else value
    return plain if mode == "decrypt" else crypto.encrypt(plain, ring)


def _plain(value, ring):
    return crypto.decrypt(value, ring) if crypto.is_encrypted(value) else value


def rewrite(connection, table: Table, mode: str, batch: int = BATCH) -> int:
    """`mode` is "encrypt" (plain rows; rows already encrypted are left alone, so a rerun is
    harmless), "decrypt" (back to plain, indexes cleared) or "rotate" (everything under the
    current key, indexes recomputed). Returns the rows written."""
    ring = crypto.keyring()
    q = connection.ops.quote_name
    cols = ", ".join(q(c) for c in table.columns)
    # Each batch is read and written in one transaction, with its rows locked where the
    # database can (PostgreSQL), so a clerk's edit in between is not overwritten.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = (f"SELECT {q(table.pk)}, {cols} FROM {q(table.name)} "
              f"WHERE {q(table.pk)} > %s ORDER BY {q(table.pk)} LIMIT {int(batch)}{lock}")
    targets = list(table.columns) + list(table.indexes)
    update = (f"UPDATE {q(table.name)} SET " + ", ".join(f"{q(c)} = %s" for c in targets)
              + f" WHERE {q(table.pk)} = %s")
    last, written = 0, 0
    while True:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
            if not rows:
                return written
            params = []
            for pk, *values in rows:
                by_column = dict(zip(table.columns, values))
                new = [_convert(mode, v, ring) for v in values]
                if mode == "decrypt":
                    new += [None] * len(table.indexes)
                else:
                    new += [crypto.blind_index(_plain(by_column[source], ring), ring)
                            for source in table.indexes.values()]
                params.append(new + [pk])
            cursor.executemany(update, params)
        written += len(params)
        last = rows[-1][0]


def encrypted_tables(models) -> list[Table]:
    """Every table of `models` with encrypted columns, for rotate_keys (historical tables of
    simple_history included: they hold the same fields)."""
    from .fields import BlindIndexField, EncryptedTextField

    found = []
    for model in models:
        opts = model._meta
        if opts.proxy or not opts.managed:
            continue
        columns = tuple(f.column for f in opts.concrete_fields if isinstance(f, EncryptedTextField))
        if columns:
            indexes = {f.column: opts.get_field(f.source).column
                       for f in opts.concrete_fields if isinstance(f, BlindIndexField)}
            found.append(Table(opts.db_table, opts.pk.column, columns, indexes))
    return found
