"""Create the PostgreSQL database that DATABASE_URL names, if it is missing.

Django cannot connect to a database that does not exist, so this connects to
the server's own "postgres" database to create it.
"""

import os
import sys
from pathlib import Path

import environ
import psycopg2
from psycopg2 import sql

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from abcd.settings.base import LOCAL_DATABASE_URL

env = environ.Env()
environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)


def main() -> int:
    config = env.db("DATABASE_URL", default=LOCAL_DATABASE_URL)
    name = config["NAME"]
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    try:
        connection = psycopg2.connect(**{k: v for k, v in params.items() if v})
    except psycopg2.OperationalError as error:
        print(f"Cannot reach PostgreSQL: {error}".strip(), file=sys.stderr)
        print(
            "Start it (for example: pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start) or set DATABASE_URL.",
            file=sys.stderr,
        )
        return 1
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")
    connection.close()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.dev")
    sys.exit(main())
