"""`make smoke`: start the production stack on this machine and try it.

gunicorn, a Celery worker and Celery beat run on abcd.settings.production
against a throwaway database, as docs/deploy.md installs them, behind no
proxy: every request says `X-Forwarded-Proto: https`, as the TLS-terminating
proxy would. The script then checks /healthz, signs an officer in with a
second factor, has the worker build a report asked for through the web and
downloads its PDF through the view that checks who asks, and fetches a
compressed, hashed static file. Whatever happens, it stops everything it
started and drops the throwaway database.

HTTP is spoken with the standard library only (urllib, http.cookiejar).

Environment (all optional):
  DATABASE_URL        the server to use; the throwaway database is its name
                      with "_smoke" (postgres://postgres@127.0.0.1:5432/abcd
                      gives abcd_smoke)
  SMOKE_DATABASE_URL  the throwaway database itself (dropped at the end!)
  SMOKE_REDIS_URL     a Redis database for the smoke stack alone (emptied at
                      the start), default redis://127.0.0.1:6379/13
  SMOKE_STATIC_ROOT   where the production static files are collected,
                      default .run/smoke-static
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/abcd"
OFFICER = "smoke-officer"


class Failed(Exception):
    """A step did not do what it should."""


def say(step: str, detail: str = "") -> None:
    print(f"  ok  {step}" + (f": {detail}" if detail else ""), flush=True)


def smoke_database_url() -> str:
    if os.environ.get("SMOKE_DATABASE_URL"):
        return os.environ["SMOKE_DATABASE_URL"]
    server = urlsplit(os.environ.get("DATABASE_URL") or LOCAL_DATABASE_URL)
    return urlunsplit(server._replace(path=server.path.rstrip("/") + "_smoke"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The throwaway database -----------------------------------------------------


def _admin_connection(url: str):
    import psycopg2

    parts = urlsplit(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=unquote(parts.username or "") or None,
        password=unquote(parts.password or "") or None,
        host=unquote(parts.hostname or "") or None,
        port=parts.port or None,
    )
    connection.autocommit = True
    return connection


def recreate_database(url: str) -> None:
    from psycopg2 import sql

    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    connection = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    connection.close()


def drop_database(url: str) -> None:
    from psycopg2 import sql

    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    connection = _admin_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    connection.close()


def empty_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    finally:
        client.close()


# The processes ------------------------------------------------------------------


class Stack:
    """Every process the smoke test starts, each in its own process group,
    so that stopping one stops its children (gunicorn's and Celery's
    workers) too."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env = env
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def run(self, name: str, *args: str) -> None:
        """A command that must finish, and succeed, before the next step."""
        process = self.start(name, *args)
        if process.wait() != 0:
            raise Failed(f"{name} exited with {process.returncode}")
        del self.running[name]

    def alive(self, name: str) -> None:
        process = self.running[name]
        if process.poll() is not None:
            raise Failed(f"{name} stopped (exit code {process.returncode})")

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running.clear()

    def show_logs(self) -> None:
        for log in sorted(self.logs.glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()[-25:]
            if lines:
                print(f"\n--- the last lines of {log.name} ---", file=sys.stderr)
                print("\n".join(lines), file=sys.stderr)


# HTTP, as a browser behind the council's proxy would speak it ------------------


class BehindTheProxy(http.cookiejar.DefaultCookiePolicy):
    """The browser reached the proxy over HTTPS, so it sends its Secure
    cookies (session, CSRF) on what reaches gunicorn as plain HTTP."""

    def return_ok_secure(self, cookie, request):
        return True


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.origin = "https://" + urlsplit(base).netloc
        self.cookies = http.cookiejar.CookieJar(BehindTheProxy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def request(
        self,
        path: str,
        data: dict | None = None,
        *,
        proxied: bool = True,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        wanted = {"X-Forwarded-Proto": "https"} if proxied else {}
        body = None
        if data is not None:
            body = urlencode(data).encode()
            wanted |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": self.origin + path,
            }
        wanted |= headers or {}
        request = urllib.request.Request(self.base + path, data=body, headers=wanted)
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def form(self, path: str, fields: dict[str, str]):
        """Open the page, then post its form with the CSRF token it holds."""
        status, _, page = self.request(path)
        if status != 200:
            raise Failed(f"{path} answered {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise Failed(f"{path} has no form to post")
        return self.request(
            path, {"csrfmiddlewaretoken": token.group(1).decode(), **fields}
        )


def wait_for(browser: Browser, path: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if browser.request(path)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise Failed(f"{path} did not answer within {seconds:.0f} s")


def location(headers: dict[str, str]) -> str:
    return urlsplit(headers.get("Location", "")).path


# The steps ----------------------------------------------------------------------


CREATE_OFFICER = """
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from communities.models import User
officer = User.objects.create_user({username!r}, password={password!r})
officer.groups.add(Group.objects.get_or_create(name="Officer")[0])
device = TOTPDevice.objects.create(user=officer, name="Smoke", confirmed=True)
print(device.key)
"""


def prepare(stack: Stack, password: str) -> str:
    """Migrate and collect the static files side by side (neither needs the
    other), then make the officer. Returns the officer's TOTP key (hex)."""
    python = sys.executable
    collect = stack.start(
        "collectstatic", python, "manage.py", "collectstatic", "--noinput", "-v0"
    )
    stack.run("migrate", python, "manage.py", "migrate", "--noinput", "-v0")
    say("migrate", "every migration applied to the throwaway database")
    script = CREATE_OFFICER.format(username=OFFICER, password=password)
    result = subprocess.run(
        [python, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise Failed("could not make the officer:\n" + result.stderr)
    key = result.stdout.strip().splitlines()[-1]
    say("officer", f"{OFFICER} with an authenticator (TOTP)")
    if collect.wait() != 0:
        raise Failed(f"collectstatic exited with {collect.returncode}")
    del stack.running["collectstatic"]
    say("collectstatic", "hashed and compressed static files")
    return key


def start(stack: Stack, port: int) -> None:
    stack.start(
        "gunicorn",
        str(BIN / "gunicorn"),
        "abcd.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--access-logfile",
        "-",
    )
    stack.start(
        "worker",
        str(BIN / "celery"),
        "-A",
        "abcd",
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        "--hostname=abcd-smoke@%h",
    )
    stack.start(
        "beat",
        str(BIN / "celery"),
        "-A",
        "abcd",
        "beat",
        "--loglevel=INFO",
        f"--schedule={stack.logs / 'celerybeat-schedule'}",
    )


def check_health(stack: Stack, browser: Browser) -> None:
    wait_for(browser, "/ping")
    status, headers, body = browser.request("/healthz")
    if status != 200 or json.loads(body) != {"database": "ok", "broker": "ok"}:
        raise Failed(f"/healthz answered {status}: {body[:200]!r}")
    if "Strict-Transport-Security" not in headers:
        raise Failed("no HSTS header: not the production settings?")
    say("/healthz", f"200 {body.decode()}, with HSTS")
    status, headers, _ = browser.request("/healthz", proxied=False)
    if status != 301 or not headers.get("Location", "").startswith("https://"):
        raise Failed(f"plain HTTP was not sent to HTTPS ({status})")
    say("plain HTTP", "redirected to HTTPS; X-Forwarded-Proto: https is trusted")
    deadline = time.monotonic() + 20
    for name, started in (("worker", "ready."), ("beat", "beat: Starting...")):
        while started not in (stack.logs / f"{name}.log").read_text(errors="replace"):
            stack.alive(name)
            if time.monotonic() > deadline:
                raise Failed(f"{name} did not start")
            time.sleep(0.2)
    say("worker and beat", "started on the production settings")


def sign_in(browser: Browser, password: str, key: str) -> None:
    from django_otp.oath import totp

    status, headers, _ = browser.form(
        "/sign-in/", {"username": OFFICER, "password": password}
    )
    if status != 302 or location(headers) != "/home/":
        raise Failed(f"signing in answered {status} {headers.get('Location')}")
    status, headers, _ = browser.request("/home/")
    if status != 302 or location(headers) != "/trust/two-factor/":
        raise Failed(f"no second factor was asked for ({status})")
    code = f"{totp(bytes.fromhex(key)):06d}"
    status, headers, _ = browser.form("/trust/two-factor/", {"token": code})
    if status != 302:
        raise Failed(f"the authenticator's code was refused ({status})")
    status, headers, _ = browser.request("/home/")
    landing = location(headers)
    status, _, page = browser.request(landing)
    if status != 200 or b"Sign out" not in page:
        raise Failed(f"the officer's home {landing} answered {status}")
    say("sign in", f"password, then the authenticator's code; landed on {landing}")


def report_end_to_end(stack: Stack, browser: Browser, media: Path) -> None:
    # Last month's report, as beat asks for on the 1st (this month's might
    # not be offered yet where the server's clock and London's disagree).
    today = time.localtime()
    year, month_number = divmod(today.tm_year * 12 + today.tm_mon - 2, 12)
    month = f"{year:04d}-{month_number + 1:02d}-01"
    status, headers, _ = browser.form(
        "/evaluation/reports/runs/", {"kind": "monthly", "month": month}
    )
    run = re.fullmatch(r"/evaluation/reports/runs/(\d+)/", location(headers))
    if status != 302 or run is None:
        raise Failed(f"asking for the report answered {status}")
    pk = run.group(1)
    say("report asked for", f"the monthly report for {month[:7]}, run {pk}")
    deadline = time.monotonic() + 45
    while True:
        stack.alive("worker")
        status, _, body = browser.request(f"/evaluation/reports/runs/{pk}/status/")
        progress = json.loads(body) if status == 200 else {}
        if progress.get("finished"):
            break
        if time.monotonic() > deadline:
            raise Failed(f"the worker did not finish the report: {progress}")
        time.sleep(0.5)
    if progress["state"] != "done":
        raise Failed(f"the report failed: {progress['message']}")
    say("report built by the worker", progress["message"])
    status, headers, pdf = browser.request(f"/evaluation/reports/{pk}/pdf/")
    if status != 200 or not pdf.startswith(b"%PDF"):
        raise Failed(f"the PDF answered {status}")
    if headers.get("Cache-Control") != "private, no-store":
        raise Failed("the PDF may be kept by a shared cache")
    say("PDF downloaded", f"{len(pdf):,} bytes through the checking view")
    stored = [p.relative_to(media) for p in (media / "reports").glob("*.pdf")]
    if len(stored) != 1 or not re.fullmatch(r"[0-9a-f]{32}\.pdf", stored[0].name):
        raise Failed(f"the PDF is not stored under a random name: {stored}")
    stranger = Browser(browser.base)
    status, headers, _ = stranger.request(f"/evaluation/reports/{pk}/pdf/")
    if status != 302 or location(headers) != "/sign-in/":
        raise Failed(f"someone not signed in got {status} for the PDF")
    for who in (stranger, browser):
        status, _, _ = who.request(f"/media/{stored[0]}")
        if status not in (302, 404):
            raise Failed(f"/media/{stored[0]} answered {status}")
    say(
        "PDF refused",
        f"to someone not signed in; stored as {stored[0]}, which no address serves",
    )


def compressed_static(browser: Browser) -> None:
    _, _, page = browser.request("/")
    found = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    if found is None:
        raise Failed("the home page links no hashed stylesheet")
    path = found.group(1).decode()
    for encoding in ("br", "gzip"):
        status, headers, body = browser.request(
            path, headers={"Accept-Encoding": f"{encoding}"}
        )
        if status != 200 or headers.get("Content-Encoding") != encoding:
            raise Failed(f"{path} was not sent {encoding}-compressed ({status})")
        if "immutable" not in headers.get("Cache-Control", ""):
            raise Failed(f"{path} is not cached for good")
        say(f"static file, {encoding}", f"{path} ({len(body):,} bytes, immutable)")
    policy = browser.request("/")[1].get("Content-Security-Policy", "")
    if "script-src 'self'" not in policy:
        raise Failed("no Content Security Policy on the home page")
    say("Content Security Policy", "sent with every page")


def main() -> int:
    began = time.monotonic()
    database_url = smoke_database_url()
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
    static_root = Path(
        os.environ.get("SMOKE_STATIC_ROOT", ROOT / ".run" / "smoke-static")
    )
    port = free_port()
    mail_port = free_port()
    work = Path(tempfile.mkdtemp(prefix="abcd-smoke-"))
    (work / "media").mkdir()
    (work / "mail").mkdir()
    password = secrets.token_urlsafe(18)
    env = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    } | {
        "DJANGO_SETTINGS_MODULE": "abcd.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        # The council's identity, as production requires of every council.
        "COUNCIL_NAME": "Smoke Test Borough Council",
        "SITE_URL": f"https://127.0.0.1:{port}",
        # Production sends mail only by SMTP: a local sink receives it.
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "DEFAULT_FROM_EMAIL": "community-building@smoke-test.example.gov.uk",
        "THREESIXTYGIVING_FUNDER_ID": "GB-LAE-SMK",
        "THREESIXTYGIVING_PREFIX": "360G-smoketestbc",
        "ASSETS_MAP_TILE_URL": "",
    }
    stack = Stack(env, work)
    browser = Browser(f"http://127.0.0.1:{port}")
    name = urlsplit(database_url).path.lstrip("/")
    print(f"Smoke test: the production stack on 127.0.0.1:{port}, database {name}")

    def stop_on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop_on_signal)
    failed = False
    try:
        recreate_database(database_url)
        empty_redis(redis_url)
        say("throwaway database", f"{name} created; Redis {redis_url} emptied")
        # Python 3.11's own SMTP sink, printing what the stack sends.
        stack.start(
            "mail", sys.executable, "-W", "ignore", "-m", "smtpd", "-n", "-c",
            "DebuggingServer", f"127.0.0.1:{mail_port}",
        )  # fmt: skip
        key = prepare(stack, password)
        start(stack, port)
        check_health(stack, browser)
        sign_in(browser, password, key)
        report_end_to_end(stack, browser, work / "media")
        compressed_static(browser)
        for process in ("gunicorn", "worker", "beat"):
            stack.alive(process)
        say("gunicorn, worker and beat", "still running on production settings")
    except Exception as error:  # noqa: BLE001 - any failure is reported, then cleaned up
        failed = True
        print(f"\nFAILED: {error}", file=sys.stderr)
        stack.show_logs()
    except KeyboardInterrupt:
        failed = True
        print("\nInterrupted.", file=sys.stderr)
    finally:
        stack.stop()
        drop_database(database_url)
        shutil.rmtree(work, ignore_errors=True)
        print(f"Stopped gunicorn, the worker and beat; dropped {name}.")
    seconds = time.monotonic() - began
    if failed:
        print(f"Smoke test FAILED after {seconds:.0f} s.", file=sys.stderr)
        return 1
    print(f"Smoke test passed in {seconds:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
