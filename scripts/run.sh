#!/usr/bin/env bash
# Run the web app, a Celery worker and Celery beat together; Ctrl-C (or any
# one of them stopping) stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

# The demo runs on the development settings, said here and not left to
# manage.py or Celery (both default to production).
export DJANGO_SETTINGS_MODULE=abcd.settings.dev
PORT="${PORT:-8000}"
VENV=.venv/bin
mkdir -p .run

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Stopped the web app, the worker and beat."
}
trap stop INT TERM EXIT

"$VENV/celery" -A abcd worker --loglevel=INFO --concurrency=2 --hostname="abcd@%h" &
pids+=($!)
"$VENV/celery" -A abcd beat --loglevel=INFO --schedule=.run/celerybeat-schedule &
pids+=($!)
"$VENV/python" manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)

cat <<TXT

  abcd is running at http://127.0.0.1:${PORT}/
  Health:            http://127.0.0.1:${PORT}/healthz
  Sign in with a demo account above (officer, builder, builder2, panel, cabinet).
  Press Ctrl-C to stop the web app, the worker and beat.

TXT

# Stop everything as soon as any one of the three exits.
wait -n
