"""scripts/restore_check.py: a backup proves it restores, table by table."""

import importlib.util
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from psycopg2 import sql

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "restore_check.py"
spec = importlib.util.spec_from_file_location("restore_check", SCRIPT)
restore_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(restore_check)

# A table name pg_dump has to quote.
ODD = 'public."odd ""name"""'
END = "\\."
DUMPED = [
    "SET statement_timeout = 0;",
    "COPY public.communities_area (id, name) FROM stdin;",
    "1\tKingsholm",
    "2\tWest\\nside",
    END,
    f"COPY {ODD} (id) FROM stdin;",
    END,
    "COPY public.grants_fund (id) FROM stdin;",
    "7",
    END,
]


def test_the_rows_a_dump_holds_are_counted_from_its_copy_blocks():
    assert restore_check.rows_in_dump(DUMPED) == {
        "public.communities_area": 2,
        ODD: 0,
        "public.grants_fund": 1,
    }


def test_a_dump_cut_short_is_refused():
    with pytest.raises(
        ValueError, match="ends inside the rows of public.communities_area"
    ):
        restore_check.rows_in_dump(DUMPED[:4])


def test_every_table_that_did_not_come_back_whole_is_named():
    expected = {"public.a": 3, "public.b": 0, "public.c": 5}
    assert restore_check.differences(expected, dict(expected)) == []
    assert restore_check.differences(expected, {"public.a": 2, "public.b": 0}) == [
        "public.a: 2 rows restored, 3 dumped",
        "public.c: missing after the restore (5 rows dumped)",
    ]


def test_a_quoted_table_name_is_split_into_its_parts():
    assert restore_check.name_parts("public.grants_fund") == ["public", "grants_fund"]
    assert restore_check.name_parts(ODD) == ["public", 'odd "name"']


@pytest.fixture
def source(tmp_path):
    """A small database of its own, dumped as scripts/backup.sh dumps."""
    config = settings.DATABASES["default"]
    server = (
        f"postgres://{config['USER']}@{config['HOST'] or '127.0.0.1'}:"
        f"{config['PORT'] or 5432}"
    )
    name = f"{config['NAME']}_restore_source"
    admin = psycopg2.connect(f"{server}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    with psycopg2.connect(f"{server}/{name}") as connection, connection.cursor() as c:
        c.execute('CREATE TABLE "odd ""name""" (id int PRIMARY KEY, note text)')
        c.execute(
            'INSERT INTO "odd ""name""" SELECT n, \'line one\' || chr(10) || \'two\''
            " FROM generate_series(1, 25) n"
        )
        c.execute("CREATE TABLE empty (id int)")
    dump = tmp_path / "abcd.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", f"{server}/{name}"],
        check=True,
    )
    yield dump, f"{server}/{config['NAME']}_restore_check"
    with admin.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)
            )
        )
    admin.close()


def test_a_real_dump_restores_whole_and_the_throwaway_database_goes(source):
    dump, url = source
    expected, problems = restore_check.check(dump, url)
    assert expected == {ODD: 25, "public.empty": 0}
    assert problems == []
    server, name = url.rsplit("/", 1)
    with psycopg2.connect(f"{server}/postgres") as connection:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        assert cursor.fetchone() is None


def test_a_file_that_is_not_a_dump_fails_the_check(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("RESTORE_CHECK_DATABASE", "never_made_restore_check")
    bogus = tmp_path / "abcd.dump"
    bogus.write_text("not a dump")
    assert restore_check.main([str(bogus)]) == 1
    assert "The restore failed" in capsys.readouterr().err
    assert restore_check.main([str(tmp_path / "missing.dump")]) == 2
