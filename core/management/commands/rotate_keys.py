"""Re-encrypt every encrypted column under the current key (CANBAO_DATA_KEY_ID) and recompute
every blind index (after a new CANBAO_INDEX_KEY). Safe to run twice and to stop half-way: each
batch is its own transaction and every row is readable under the old or the new key until the
old key is removed from CANBAO_DATA_KEYS (docs/keys.md)."""
from __future__ import annotations

import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from core import crypto, reencrypt


class Command(BaseCommand):
    help = "用当前密钥重新加密所有个人信息字段并重算盲索引（轮换密钥后运行）"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=reencrypt.BATCH)

    def handle(self, *args, batch, **options):
        ring = crypto.keyring()
        self.stdout.write(f"当前密钥编号：{ring.current}；可解密的密钥：{'、'.join(ring.data_keys)}")
        total = 0
        for table in reencrypt.encrypted_tables(apps.get_models()):
            started = time.monotonic()
            rows = reencrypt.rewrite(connection, table, "rotate", batch=batch)
            total += rows
            self.stdout.write(f"{table.name}: {rows} 行（{time.monotonic() - started:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS(f"完成：共 {total} 行已用密钥 {ring.current} 重新加密。"))
