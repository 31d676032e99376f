"""`make bench`: the app under gunicorn with production-like settings, on the
city-scale synthetic database, driven over HTTP from a separate process.
Writes bench/results.json and prints it.

The city is seeded once into BENCH_DATABASE_URL and every run measures a
fresh copy of it (the same name with "_run"): what one run's submissions
write never slows the next run's pages.

Two servers run side by side on the same copy: the app as in production on
BENCH_PORT, and the same app reading each request's user through the ORM
instead of production's function (BENCH_USER_READ=orm, see bench.backends)
on the port after it, for the comparison under "user_read".

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/
abcd_bench), BENCH_PORT (8765), BENCH_WORKERS (gunicorn workers, default 4).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GOALS = {
    "dashboard p50 at most 5x the bare view": ("ratios.dashboard_vs_bare", "<=", 5),
    "resident list no slower than admin's changelist": (
        "ratios.resident_list_vs_admin",
        "<=",
        1,
    ),
    "dashboard p95 under 100 ms": ("pages.dashboard.p95_ms", "<", 100),
    "resident list p95 under 100 ms": ("pages.resident_list.p95_ms", "<", 100),
    "resident detail p95 under 100 ms": ("pages.resident_detail.p95_ms", "<", 100),
    "grant queue p95 under 100 ms": ("pages.grant_queue.p95_ms", "<", 100),
    "map data under 150 ms": ("pages.map_geojson.p95_ms", "<", 150),
    "map data under 600 KB compressed": ("pages.map_geojson.bytes_gz", "<", 600_000),
    "builder submission p95 under 50 ms": ("builder_submit.p95_ms", "<", 50),
    "builder submission p50 at most 3x a bare write": (
        "ratios.builder_submit_vs_bare_write",
        "<=",
        3,
    ),
    "builder submissions at least 300 a second": ("builder_submit.per_s", ">=", 300),
    "annual review under 20 s": ("annual_review_s", "<", 20),
    "builder page under 150 KB compressed": ("builder_page_bytes_gz", "<", 150_000),
    "mixed load with no errors": ("load.errors", "==", 0),
    "mixed load p95 under 200 ms": ("load.p95_ms", "<", 200),
}


SEED_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/abcd_bench"
)
# A plain postgres:// address (user, host, port and name): the copy is made
# over the same connection details.
SEED = urlsplit(SEED_URL)
SEED_NAME = SEED.path.lstrip("/")
RUN_NAME = f"{SEED_NAME}_run"
RUN_URL = urlunsplit(SEED._replace(path=f"/{RUN_NAME}"))


def env(database_url: str = RUN_URL, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "abcd.settings.bench",
        "DATABASE_URL": database_url,
        **extra,
    }


def run(*args: str, capture: bool = False, database_url: str = RUN_URL) -> str:
    result = subprocess.run(
        args,
        cwd=ROOT,
        env=env(database_url),
        check=True,
        text=True,
        capture_output=capture,
    )
    return result.stdout if capture else ""


def fresh_copy() -> None:
    """The run's database: a file copy of the seeded city (under a second)."""
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(
        dbname="postgres",
        user=unquote(SEED.username or "") or None,
        password=unquote(SEED.password or "") or None,
        host=unquote(SEED.hostname or "") or None,
        port=SEED.port or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        run_db, seed_db = sql.Identifier(RUN_NAME), sql.Identifier(SEED_NAME)
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(run_db)
        )
        cursor.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                run_db, seed_db
            )
        )
    connection.close()


def prepare() -> None:
    for step in (
        ["scripts/ensure_database.py"],
        ["manage.py", "migrate", "--noinput", "--verbosity", "0"],
        ["manage.py", "seed_demo", "--scale", "city"],
    ):
        run(PYTHON, *step, database_url=SEED_URL)
    fresh_copy()
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0")


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the app did not start at {url}")


def lookup(results: dict, dotted: str):
    value = results
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def judge(results: dict) -> dict:
    verdicts = {}
    for goal, (key, op, limit) in GOALS.items():
        value = lookup(results, key)
        if value is None:
            verdicts[goal] = {"value": None, "met": None, "note": "not measured yet"}
            continue
        met = {
            "<": value < limit,
            "<=": value <= limit,
            ">=": value >= limit,
            "==": value == limit,
        }[op]
        verdicts[goal] = {"value": value, "limit": f"{op} {limit}", "met": met}
    return verdicts


def serve(port: int, user_read: str) -> subprocess.Popen:
    """gunicorn serving the run's copy, with the user read given."""
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "abcd.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("BENCH_WORKERS", "4"),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(BENCH_USER_READ=user_read),
    )


def main() -> int:
    prepare()
    password = (
        os.environ.get("DEMO_PASSWORD") or (ROOT / ".demo-password").read_text().strip()
    )
    found = json.loads(run(PYTHON, "bench/queries.py", capture=True))
    review = json.loads(run(PYTHON, "bench/report.py", capture=True))
    port = int(os.environ.get("BENCH_PORT", "8765"))
    base, orm_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
    servers = [serve(port, "function"), serve(port + 1, "orm")]
    try:
        wait_for(f"{base}/ping")
        wait_for(f"{orm_base}/ping")
        measured = json.loads(
            run(
                PYTHON,
                "bench/drive.py",
                base,
                password,
                str(found["resident"]),
                str(found["site"]),
                found["officer_totp_key"],
                orm_base,
                capture=True,
            )
        )
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)

    for name, timing in [
        *measured["pages"].items(),
        ("bare_view", measured["bare_view"]),
        ("admin_changelist", measured["admin_changelist"]),
    ]:
        if timing["status"] != 200:
            raise SystemExit(f"{name} answered {timing['status']}, not 200")
    for read in ("function", "orm"):
        for name in ("bare_view", "dashboard"):
            status = measured["user_read"][read][name]["status"]
            if status != 200:
                raise SystemExit(f"{name} ({read}) answered {status}, not 200")
    for name, timing in [
        ("builder_submit", measured["builder_submit"]),
        ("bare_write", measured["bare_write"]),
        *(
            (f"builder_submit ({r})", measured["user_read"][r]["builder_submit"])
            for r in ("function", "orm")
        ),
    ]:
        if timing["errors"]:
            raise SystemExit(f"{name}: {timing['errors']} requests refused")
    pages = {}
    for name, timing in measured["pages"].items():
        pages[name] = {**timing, "queries": found["queries"][name]["queries"]}
    bare = measured["bare_view"]["p50_ms"]
    admin = measured["admin_changelist"]["p50_ms"]
    results = {
        "pages": pages,
        "bare_view_p50_ms": bare,
        "admin_changelist_p50_ms": admin,
        "ratios": {
            "dashboard_vs_bare": round(pages["dashboard"]["p50_ms"] / bare, 2),
            "resident_list_vs_admin": round(
                pages["resident_list"]["p50_ms"] / admin, 2
            ),
            # p50 against p50, at the same concurrency.
            "builder_submit_vs_bare_write": round(
                measured["builder_submit"]["p50_ms"] / measured["bare_write"]["p50_ms"],
                2,
            ),
        },
        "builder_submit": measured["builder_submit"],
        "bare_write": measured["bare_write"],
        "builder_submit_light": measured["builder_submit_light"],
        "annual_review_s": review["annual_review_s"],
        "annual_review": review["annual_review"],
        "builder_page_bytes_gz": measured["builder_page"]["bytes_gz"],
        "builder_page_files": measured["builder_page"]["files"],
        "load": measured["load"],
        "user_read": measured["user_read"],
        "machine": {
            "cores": os.cpu_count(),
            "gunicorn_workers": int(os.environ.get("BENCH_WORKERS", "4")),
        },
    }
    results["goals"] = judge(results)
    out = ROOT / "bench" / "results.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(out.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
