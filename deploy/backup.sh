#!/usr/bin/env bash
# Back up the Canbao database: pg_dump custom format into var/backups/ (or $BACKUP_DIR) under a
# UTC timestamp, with a SHA-256 file beside it; dumps older than $BACKUP_KEEP_DAYS (30) go.
#
# The dump holds the personal data encrypted as the database stores it; the encryption keys
# are NOT in it (they live in /etc/canbao/env or the key management device): see docs/deploy.md.
#
#   DATABASE_URL=postgres://canbao@127.0.0.1:5432/canbao deploy/backup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

url="${DATABASE_URL:?DATABASE_URL 未设置：备份只支持 PostgreSQL（例如 postgres://canbao@127.0.0.1:5432/canbao）}"
case "$url" in
  postgres://*|postgresql://*) ;;
  pgsql://*|psql://*) url="postgresql://${url#*://}" ;;
  *) echo "备份只支持 PostgreSQL，DATABASE_URL 不是 postgres:// 地址。" >&2; exit 2 ;;
esac

dir="${BACKUP_DIR:-var/backups}"
keep="${BACKUP_KEEP_DAYS:-30}"
umask 077
mkdir -p "$dir"

db="${url##*/}"; db="${db%%\?*}"
out="$dir/canbao-${db}-$(date -u +%Y%m%dT%H%M%SZ).dump"

# Written under a temporary name: a dump cut off by a full disk or a restart never looks whole.
pg_dump --format=custom --compress=6 --file="$out.partial" --dbname="$url"
mv "$out.partial" "$out"
(cd "$dir" && sha256sum "$(basename "$out")" > "$(basename "$out").sha256")

find "$dir" -maxdepth 1 -name 'canbao-*.dump*' -mtime "+$keep" -delete
echo "$out"
