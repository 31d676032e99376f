"""Drive the running app over HTTP from its own process and time it.

Usage: python bench/drive.py BASE_URL PASSWORD RESIDENT_ID SITE_ID TOTP_KEY
    [ORM_BASE_URL] > measurements.json

BASE_URL serves the app as in production; ORM_BASE_URL, if given, the same
app reading each request's user through the ORM instead of production's
function (bench.backends), for the comparison under "user_read".

Only the standard library, so the driver shares nothing with the server
process: http.client over keep-alive connections, one per thread.
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import http.client
import json
import random
import re
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])
from bench.pages import (
    ADMIN_CHANGELIST,
    BARE,
    BARE_WRITE,
    BUILDER,
    BUILDER_PAGE,
    OFFICER,
    PAGES,
)

# Enough requests that a p95 is not two slow ones, and enough warm-up that
# each of gunicorn's workers has drawn the page before the clock starts.
REPEATS = 200
WARMUP = 20
THINK_SECONDS = (1.0, 4.0)
# Phones sending at once in the capacity measurements (the submission, the
# bare write and the user-read comparison): more than the workers, so that
# every worker is always busy.
PHONES = 16
# The capacity measurements take turns, round by round (a submission, a
# bare write, a submission to the server reading the user through the ORM),
# so that a slow spell of the machine falls on each of them alike.
ROUNDS = 5


class Session:
    """One signed-in browser: a keep-alive connection and its cookies."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=60
                )
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response, data

    def get(self, path, **headers):
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, fields: dict) -> http.client.HTTPResponse:
        _response, page = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        response, _ = self.request(
            "POST",
            path,
            body=urlencode({"csrfmiddlewaretoken": token.decode(), **fields}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{self.host}:{self.port}{path}",
            },
        )
        return response

    def sign_in(self, username: str, password: str, totp_key: str = "") -> None:
        response = self.post_form(
            "/sign-in/", {"username": username, "password": password}
        )
        if response.status != 302:
            raise SystemExit(f"could not sign in as {username}: {response.status}")
        if totp_key:
            response = self.post_form("/trust/two-factor/", {"token": totp(totp_key)})
            if response.status != 302:
                raise SystemExit(f"{username}'s code was refused: {response.status}")

    def share(self, base: str = "") -> Session:
        """Another connection for the same signed-in person (one officer's
        code can be used once, so the officers in the mixed load share it),
        to the same server or to the other one of the user-read comparison
        (both load the user read under one path, so either takes the
        session)."""
        other = Session(base or f"http://{self.host}:{self.port}")
        other.cookies = dict(self.cookies)
        return other


def totp(key_hex: str) -> str:
    """The authenticator app's current code (RFC 6238: SHA-1, 30 s, 6 digits)."""
    counter = int(time.time() // 30).to_bytes(8, "big")
    digest = hmac.new(bytes.fromhex(key_hex), counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
    return f"{code % 1_000_000:06d}"


def timed(session: Session, paths: dict[str, str], repeats: int = REPEATS) -> dict:
    """Each path timed one after another, in turns, after all are warm: the
    pages compared with each other (the dashboard with the bare view, the
    staff list with admin's) meet the same workers in the same state, and a
    slow spell of the machine falls on all of them alike."""
    return timed_on({name: (session, path) for name, path in paths.items()}, repeats)


def timed_on(targets: dict[str, tuple[Session, str]], repeats: int = REPEATS):
    """As timed(), each name with its own session (and so, server)."""
    for _ in range(WARMUP):
        for session, path in targets.values():
            session.get(path)
    times: dict[str, list[float]] = {name: [] for name in targets}
    status = {}
    for _ in range(repeats):
        for name, (session, path) in targets.items():
            started = time.perf_counter()
            response, _ = session.get(path)
            times[name].append((time.perf_counter() - started) * 1000)
            status[name] = response.status
    return {
        name: {**percentiles(times[name]), "status": status[name]} for name in targets
    }


def percentiles(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "p50_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
    }


def gz_size(response, data: bytes) -> int:
    if response.getheader("Content-Encoding") == "gzip":
        return len(data)
    return len(gzip.compress(data, compresslevel=6))


def builder_page_bytes(session: Session) -> dict:
    """Every byte the builder's logging page loads, compressed: the page, its
    stylesheet and scripts, and the modules those scripts import."""
    seen, total, files = set(), 0, []
    queue = [BUILDER_PAGE]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response, data = session.get(path, **{"Accept-Encoding": "gzip"})
        size = gz_size(response, data)
        total += size
        files.append((path, size))
        text = (
            gzip.decompress(data)
            if response.getheader("Content-Encoding") == "gzip"
            else data
        )
        text = text.decode("utf-8", "replace")
        if path == BUILDER_PAGE:
            refs = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', text)
        elif path.endswith(".js"):
            refs = [urljoin(path, m) for m in re.findall(r'from\s*"(\.[^"]+)"', text)]
        else:
            refs = [
                urljoin(path, m)
                for m in re.findall(r'url\("?([^")]+\.(?:svg|png|woff2?))"?\)', text)
                if not m.startswith("data:")
            ][:0]  # images in the stylesheet load only when used
        queue.extend(refs)
    return {"bytes_gz": total, "files": dict(files)}


def put_json(session: Session, path: str, body: dict) -> tuple[float, bool]:
    """One item sent as the phone's outbox sends it (a PUT under a new item
    ID, the CSRF token in a header): how long the answer took, in ms, and
    whether it was stored."""
    started = time.perf_counter()
    response, _ = session.request(
        "PUT",
        f"{path}{uuid.uuid4()}/",
        body=json.dumps(body),
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": session.cookies.get("csrftoken", ""),
        },
    )
    return (time.perf_counter() - started) * 1000, response.status == 201


def conversation(site: str, **fields) -> dict:
    payload = {"site": site, "held_on": time.strftime("%Y-%m-%d"), **fields}
    return {"kind": "conversation", "payload": payload}


def send_conversation(session: Session, site: str, **fields) -> tuple[float, bool]:
    """One conversation, through the builder's offline sync endpoint."""
    return put_json(session, "/communities/sync/", conversation(site, **fields))


def conversation_sender(site: str):
    return lambda session: send_conversation(session, site, what_matters="benchmark")


def bare_write_sender(site: str):
    """The same request to the bare write (bench.views.bare_write)."""
    body = conversation(site, what_matters="benchmark")
    return lambda session: put_json(session, BARE_WRITE, body)


def builder_phones(base: str, password: str, count: int = PHONES) -> list[Session]:
    """Signed-in builders' phones, each on its own connection."""
    phones = []
    for _ in range(count):
        session = Session(base)
        session.sign_in(BUILDER, password)
        session.get(BUILDER_PAGE)
        phones.append(session)
    return phones


def send_at_once(
    sessions: list[Session], send, total: int, warmup: int = WARMUP
) -> dict:
    """Every phone sending one item after another, all at once, ``total``
    items in all: the times (ms), the errors and the wall-clock seconds."""
    lock = threading.Lock()
    times, errors = [], 0
    per_worker = total // len(sessions)
    clock = {}
    # Each phone sends a few first, untimed, so that every web process has
    # served the request before the clock starts (as a running server has).
    ready = threading.Barrier(
        len(sessions),
        action=lambda: clock.setdefault("started", time.perf_counter()),
    )

    def work(session: Session):
        nonlocal errors
        try:
            for _ in range(warmup):
                _elapsed, ok = send(session)
                if not ok:
                    raise SystemExit("a warm-up request was refused")
        except BaseException:
            ready.abort()  # the other phones stop waiting, and the run fails
            raise
        ready.wait(timeout=300)
        for _ in range(per_worker):
            elapsed, ok = send(session)
            with lock:
                times.append(elapsed)
                errors += 0 if ok else 1

    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(work, sessions))
    return {
        "times": times,
        "errors": errors,
        "seconds": time.perf_counter() - clock["started"],
    }


def summary(runs: list[dict], concurrency: int) -> dict:
    times = [t for run in runs for t in run["times"]]
    return {
        **percentiles(times),
        "per_s": round(len(times) / sum(run["seconds"] for run in runs), 1),
        "errors": sum(run["errors"] for run in runs),
        "sent": len(times),
        "concurrency": concurrency,
    }


def capacity(sessions: list[Session], send, total: int) -> dict:
    return summary([send_at_once(sessions, send, total)], len(sessions))


def in_turns(kinds: dict[str, tuple[list[Session], object]], total: int) -> dict:
    """Each kind of request sent by its phones all at once, ``total`` of each
    in all, the kinds taking turns over ROUNDS rounds. The first round warms
    every web process up; the later ones send two each first, untimed, so
    that every phone is under way when the clock starts."""
    runs = {name: [] for name in kinds}
    for round_ in range(ROUNDS):
        for name, (sessions, send) in kinds.items():
            warmup = WARMUP if round_ == 0 else 2
            runs[name].append(send_at_once(sessions, send, total // ROUNDS, warmup))
    return {name: summary(runs[name], len(kinds[name][0])) for name in kinds}


def user_read(officer, orm_base: str, resident: str, submissions: dict) -> dict:
    """The same pages from the server reading each request's user through
    production's function and from the one reading it through the ORM
    (bench.backends), request by request in turns: the bare view and the
    dashboard; and the submissions, which took turns round by round."""
    sessions = {"function": officer, "orm": officer.share(orm_base)}
    pages = {"bare_view": BARE, "dashboard": PAGES["dashboard"][0]}
    measured = timed_on(
        {
            (read, name): (session, path.format(resident=resident))
            for read, session in sessions.items()
            for name, path in pages.items()
        }
    )
    results = {
        read: {
            **{name: measured[read, name] for name in pages},
            "builder_submit": submissions[read],
        }
        for read in sessions
    }
    results["orm_vs_function_p50"] = {
        name: round(
            results["orm"][name]["p50_ms"] / results["function"][name]["p50_ms"], 2
        )
        for name in [*pages, "builder_submit"]
    }
    return results


def mixed_load(officer, base, password, resident, site, users=50, seconds=60):
    officer_paths = [p.format(resident=resident) for p, _ in PAGES.values()] + [
        "/communities/introductions/",
        "/communities/groups/",
    ]
    builder_paths = ["/communities/my-work/", BUILDER_PAGE, "/communities/residents/"]
    lock = threading.Lock()
    times, errors, requests = [], 0, 0
    by_path: dict[str, list[float]] = {}
    # Everyone signs in before the clock starts. Signing in hashes a password
    # (slow, by design), and a programme's builders sign in over a morning,
    # not all in the same second: 25 sign-ins at once would measure a queue
    # that no working day has.
    sessions = [Session(base) if n % 2 == 0 else officer.share() for n in range(users)]
    for session in sessions[::2]:
        session.sign_in(BUILDER, password)
    deadline = time.monotonic() + seconds

    def user(n: int):
        nonlocal errors, requests
        rng = random.Random(n)
        builder = n % 2 == 0
        session = sessions[n]
        while time.monotonic() < deadline:
            if builder and rng.random() < 0.3:
                elapsed, ok = send_conversation(session, site)
                path = "PUT /communities/sync/<id>/"
            else:
                path = rng.choice(builder_paths if builder else officer_paths)
                started = time.perf_counter()
                response, _ = session.get(path)
                ok = response.status == 200
                elapsed = (time.perf_counter() - started) * 1000
            with lock:
                times.append(elapsed)
                by_path.setdefault(path, []).append(elapsed)
                requests += 1
                errors += 0 if ok else 1
            # A person reads a page or types before the next request: one to
            # four seconds, as load tests of staff web apps usually assume.
            time.sleep(rng.uniform(*THINK_SECONDS))

    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    return {
        "users": users,
        "seconds": seconds,
        "think_s": list(THINK_SECONDS),
        "requests": requests,
        "per_s": round(requests / seconds, 1),
        "errors": errors,
        **percentiles(times),
        # Which requests make the tail.
        "by_path": {
            path: {**percentiles(found), "requests": len(found)}
            for path, found in sorted(by_path.items())
        },
    }


def main():
    base, password, resident, site, totp_key = sys.argv[1:6]
    orm_base = sys.argv[6] if len(sys.argv) > 6 else ""
    results = {"pages": {}}
    officer = Session(base)
    officer.sign_in(OFFICER, password, totp_key)
    measured = timed(
        officer,
        {
            **{
                name: path.format(resident=resident)
                for name, (path, _) in PAGES.items()
            },
            "bare_view": BARE,
            "admin_changelist": ADMIN_CHANGELIST,
        },
    )
    results["bare_view"] = measured.pop("bare_view")
    results["admin_changelist"] = measured.pop("admin_changelist")
    results["pages"] = measured
    response, data = officer.get(PAGES["map_geojson"][0], **{"Accept-Encoding": "gzip"})
    results["pages"]["map_geojson"]["bytes_gz"] = gz_size(response, data)
    builder = Session(base)
    builder.sign_in(BUILDER, password)
    results["builder_page"] = builder_page_bytes(builder)
    # The mixed load before the submission runs: those write over 4,000
    # conversations to one site in a minute (months of a site's work), which
    # would leave the load's builders a day no site has.
    results["load"] = mixed_load(officer, base, password, resident, site)
    phones = builder_phones(base, password)
    kinds = {
        "builder_submit": (phones, conversation_sender(site)),
        # The floor for that: the same phones, each request writing one row
        # and nothing else.
        "bare_write": (phones, bare_write_sender(site)),
    }
    if orm_base:
        orm_phones = [phone.share(orm_base) for phone in phones]
        kinds["orm_builder_submit"] = (orm_phones, conversation_sender(site))
    capacities = in_turns(kinds, 2000)
    results["builder_submit"] = capacities["builder_submit"]
    results["bare_write"] = capacities["bare_write"]
    # The same endpoint at a working day's pace: four phones sending at once
    # (the saturated run above measures capacity; this, a builder's wait).
    results["builder_submit_light"] = capacity(
        phones[:4], conversation_sender(site), 500
    )
    if orm_base:
        results["user_read"] = user_read(
            officer,
            orm_base,
            resident,
            {
                "function": capacities["builder_submit"],
                "orm": capacities["orm_builder_submit"],
            },
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
