"""Cost of encrypting personal data: SM4-GCM + HMAC-SM3 blind index against the plain path.

    .venv/bin/python bench/crypto.py [--values 100000]

For each of N ID numbers, the plain path is what a CharField does on save and on load (prepare
the value for the database; read it back); the encrypted path is what EncryptedTextField and
BlindIndexField do (SM4-GCM encrypt with a fresh nonce + HMAC-SM3 index on save; SM4-GCM
decrypt on load). Prints seconds per N values, microseconds per value, the ratio, and the added
cost per person row (ID + phone encrypted and indexed), to set beside a bulk path's time per
row (seed_demo, imports: see docs/keys.md for the end-to-end figures). Times are CPU seconds
of this process, so a busy machine does not distort the ratio. No database needed.
"""
from __future__ import annotations

import argparse
import time

from common import setup_django


def timed(label: str, fn, values) -> float:
    """CPU seconds of this process (the machine is shared: wall time would measure the
    neighbours), with the wall time beside it."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn(values)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"{label:<30} cpu {cpu:7.3f} s  {cpu / len(values) * 1e6:7.2f} µs/value"
          f"  (wall {wall:.3f} s)")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=100_000)
    n = parser.parse_args().values

    setup_django()  # no database: the fields only prepare and read back values
    from django.db import connection, models

    from core import crypto
    from core.fields import EncryptedTextField
    from enrollment import idnumbers
    import datetime as dt

    ring = crypto.keyring()
    plain_field = models.CharField(max_length=30)
    encrypted_field = EncryptedTextField(max_length=30)
    numbers = [idnumbers.make_unique_id(i, dt.date(1950, 1, 1) + dt.timedelta(days=i % 25000),
                                        "MF"[i % 2]) for i in range(1, n + 1)]

    def plain_save(values):
        for v in values:
            plain_field.get_db_prep_save(v, connection)

    def encrypted_save(values):
        for v in values:
            encrypted_field.get_db_prep_save(v, connection)
            crypto.blind_index(v, ring)

    tokens = [crypto.encrypt(v, ring) for v in numbers]

    def plain_load(values):
        for v in values:
            plain_field.to_python(v)

    def encrypted_load(values):
        for v in values:
            encrypted_field.from_db_value(v, None, connection)

    print(f"{n:,} ID numbers, SM4-GCM + HMAC-SM3 (cryptography, OpenSSL)")
    base_save = timed("save, plain CharField", plain_save, numbers)
    enc_save = timed("save, encrypt + blind index", encrypted_save, numbers)
    base_load = timed("load, plain CharField", plain_load, numbers)
    enc_load = timed("load, decrypt", encrypted_load, tokens)
    assert [crypto.decrypt(t, ring) for t in tokens[:100]] == numbers[:100]
    per_row = (enc_save - base_save) / n * 2 * 1e6  # ID and phone per person row
    print(f"ratio: encrypted save is {enc_save / base_save:.0f}x the plain field's own work, "
          f"load {enc_load / base_load:.0f}x; added per person row (ID + phone): "
          f"{per_row:.1f} µs = {per_row * 100_000 / 1e6:.1f} s per 100,000 persons")


if __name__ == "__main__":
    main()
