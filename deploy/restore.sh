#!/usr/bin/env bash
# Restore a dump from deploy/backup.sh into a NEW database on the server of $DATABASE_URL.
# It never writes into an existing database: restore beside the live one, check it, then point
# DATABASE_URL at it (docs/deploy.md).
#
#   deploy/restore.sh var/backups/canbao-canbao-20260101T183000Z.dump canbao_restored
set -euo pipefail
cd "$(dirname "$0")/.."

dump="${1:?用法: deploy/restore.sh 备份文件 新数据库名}"
target="${2:?用法: deploy/restore.sh 备份文件 新数据库名}"
url="${DATABASE_URL:?DATABASE_URL 未设置：它指明恢复到哪一台 PostgreSQL 服务器}"
case "$url" in
  postgres://*|postgresql://*) ;;
  pgsql://*|psql://*) url="postgresql://${url#*://}" ;;
  *) echo "恢复只支持 PostgreSQL，DATABASE_URL 不是 postgres:// 地址。" >&2; exit 2 ;;
esac
[[ "$target" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { echo "数据库名只能用小写字母、数字和下划线：$target" >&2; exit 2; }
[ -f "$dump" ] || { echo "找不到备份文件：$dump" >&2; exit 2; }

if [ -f "$dump.sha256" ]; then
  (cd "$(dirname "$dump")" && sha256sum --check --quiet "$(basename "$dump").sha256") \
    || { echo "备份文件校验失败（SHA-256 不符），未恢复：$dump" >&2; exit 3; }
fi

query=""; case "$url" in *\?*) query="?${url#*\?}" ;; esac
server="${url%/*}"
maintenance="$server/postgres$query"
target_url="$server/$target$query"

exists=$(psql "$maintenance" -XAtc "SELECT 1 FROM pg_database WHERE datname = '$target'")
if [ "$exists" = "1" ]; then
  echo "数据库 $target 已存在，未恢复：请换一个新库名（恢复从不覆盖现有数据库）。" >&2
  exit 3
fi

psql "$maintenance" -Xqc "CREATE DATABASE \"$target\""
pg_restore --no-owner --no-privileges --exit-on-error --jobs="${RESTORE_JOBS:-2}" \
  --dbname="$target_url" "$dump"
echo "已恢复到数据库 $target。核对无误后，把 DATABASE_URL 指向它并重启服务。"
