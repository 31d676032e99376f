#!/usr/bin/env bash
# Back up abcd: the database (pg_dump, custom format) and the uploaded and
# built files (MEDIA_ROOT), into one dated folder under BACKUP_DIR, then prove
# the database dump restores (scripts/restore_check.py).
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/abcd/media \
#   BACKUP_DIR=/var/backups/abcd scripts/backup.sh
#
# BACKUP_KEEP_DAYS (default 30): older backup folders are deleted.
# RESTORE_CHECK=0 skips the restore check (it needs CREATE DATABASE).
# Exits non-zero if anything fails, so a timer or cron job can alert.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DATABASE_URL:?set DATABASE_URL to the database to back up}"
: "${MEDIA_ROOT:?set MEDIA_ROOT to the uploaded files folder}"
BACKUP_DIR="${BACKUP_DIR:-/var/backups/abcd}"
BACKUP_KEEP_DAYS="${BACKUP_KEEP_DAYS:-30}"
PYTHON="${PYTHON:-.venv/bin/python}"

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
target="$BACKUP_DIR/$stamp"
mkdir -p "$target"
chmod 700 "$BACKUP_DIR" "$target"

echo "Dumping the database to $target/abcd.dump"
pg_dump --format=custom --no-owner --no-privileges --file="$target/abcd.dump" "$DATABASE_URL"

echo "Archiving $MEDIA_ROOT to $target/media.tar.gz"
tar --create --gzip --file="$target/media.tar.gz" --directory="$MEDIA_ROOT" .

if [ "${RESTORE_CHECK:-1}" != "0" ]; then
  "$PYTHON" scripts/restore_check.py "$target/abcd.dump"
fi

echo "Deleting backups older than $BACKUP_KEEP_DAYS days"
find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -mtime +"$BACKUP_KEEP_DAYS" -exec rm -rf {} +

echo "Backup done: $target"
