"""Prove that a database backup restores: restore it into a throwaway
database, count every table's rows there, and compare them with the rows
the dump itself holds. Then drop the throwaway database.

    scripts/restore_check.py /var/backups/abcd/2026-04-01T021500Z/abcd.dump

The dump is a pg_dump custom-format file (scripts/backup.sh makes one). The
rows it holds are read from the dump, not from the live database, so the
comparison is exact however much the live database changed since: a table
whose rows did not all come back, or that did not come back at all, fails
the check (exit code 1).

Environment: DATABASE_URL names the server (and user) to restore on; the
throwaway database is RESTORE_CHECK_DATABASE (default: the name in
DATABASE_URL with "_restore_check"). It is dropped first if it exists, and
dropped again at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/abcd"
# An identifier as pg_dump writes it: plain, or in double quotes (a quote
# inside doubled), and a table is one or more joined by dots.
IDENTIFIER = r'(?:"(?:[^"]|"")*"|[^\s."]+)'
COPY_START = re.compile(
    rf"^COPY (?P<table>{IDENTIFIER}(?:\.{IDENTIFIER})*) \(.*\) FROM stdin;$"
)


def rows_in_dump(lines: Iterable[str]) -> dict[str, int]:
    """Each table's row count from pg_restore's SQL for a dump's data: a
    table's rows are the lines between its ``COPY ... FROM stdin;`` and the
    ``\\.`` that ends them (COPY's text format writes a newline inside a
    value as ``\\n``, so a row is always one line)."""
    counts: dict[str, int] = {}
    table = None
    for raw in lines:
        line = raw.rstrip("\n")
        if table is None:
            start = COPY_START.match(line)
            if start:
                table = start.group("table")
                counts[table] = 0
        elif line == "\\.":
            table = None
        else:
            counts[table] += 1
    if table is not None:
        raise ValueError(f"the dump ends inside the rows of {table}")
    return counts


def differences(expected: dict[str, int], restored: dict[str, int]) -> list[str]:
    """What did not come back as it was dumped, one line per table."""
    problems = []
    for table, count in sorted(expected.items()):
        if table not in restored:
            problems.append(f"{table}: missing after the restore ({count} rows dumped)")
        elif restored[table] != count:
            problems.append(f"{table}: {restored[table]} rows restored, {count} dumped")
    return problems


def name_parts(table: str) -> list[str]:
    """``schema.table`` as pg_dump writes it (a part quoted when it must be)
    split into its unquoted parts."""
    parts = re.findall(r'"((?:[^"]|"")*)"|([^."]+)', table)
    return [quoted.replace('""', '"') if quoted else plain for quoted, plain in parts]


def restored_counts(url: str, tables: Iterable[str]) -> dict[str, int]:
    import psycopg2
    from psycopg2 import sql

    counts = {}
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            for table in tables:
                name = sql.Identifier(*name_parts(table))
                cursor.execute("SELECT to_regclass(%s)", [name.as_string(cursor)])
                if cursor.fetchone()[0] is None:
                    continue
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(name))
                counts[table] = cursor.fetchone()[0]
    finally:
        connection.close()
    return counts


def _server(url: str):
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


def _drop_and_create(url: str, *, create: bool) -> None:
    from psycopg2 import sql

    name = sql.Identifier(urlsplit(url).path.lstrip("/"))
    connection = _server(url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        if create:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
    connection.close()


def throwaway_url() -> str:
    server = urlsplit(os.environ.get("DATABASE_URL") or LOCAL_DATABASE_URL)
    name = os.environ.get("RESTORE_CHECK_DATABASE") or (
        server.path.lstrip("/") + "_restore_check"
    )
    return urlunsplit(server._replace(path="/" + name))


def check(dump: Path, url: str) -> tuple[dict[str, int], list[str]]:
    """Restore ``dump`` into the database at ``url`` (made afresh, dropped
    after): the rows the dump holds, table by table, and what differs after
    the restore (nothing, when it restored whole)."""
    listing = subprocess.run(
        ["pg_restore", "--data-only", "--file=-", str(dump)],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = rows_in_dump(listing.stdout.splitlines())
    if not expected:
        return expected, ["the dump holds no tables"]
    _drop_and_create(url, create=True)
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={url}",
                str(dump),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return expected, differences(expected, restored_counts(url, expected))
    finally:
        _drop_and_create(url, create=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", type=Path, help="a pg_dump custom-format file")
    args = parser.parse_args(argv)
    if not args.dump.is_file():
        print(f"No dump at {args.dump}", file=sys.stderr)
        return 2
    url = throwaway_url()
    began = time.monotonic()
    print(f"Restoring {args.dump} into {urlsplit(url).path.lstrip('/')}")
    try:
        expected, problems = check(args.dump, url)
    except subprocess.CalledProcessError as error:
        print(f"The restore failed:\n{error.stderr}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"The dump cannot be read: {error}", file=sys.stderr)
        return 1
    if problems:
        print("The restore is NOT complete:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"The restore is complete: all {sum(expected.values()):,} rows of "
        f"{len(expected)} tables came back ({time.monotonic() - began:.0f} s); "
        "the throwaway database is dropped."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
