"""Loading many rows at once with PostgreSQL's COPY, for the city-scale
synthetic programme (hundreds of thousands of rows in seconds, where saving
them one by one would take hours). Rows are written with explicit ids,
reserved from each table's sequence first, so that later rows can point at
earlier ones without reading them back."""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import connection, models, transaction

NULL = r"\N"


def reserve_ids(model: type[models.Model], count: int) -> range:
    """Take ``count`` ids from the table's sequence, as one block."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT setval(%s, GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}),"
            f" (SELECT last_value FROM {sequence})) + %s)",
            [sequence, count],
        )
        last = cursor.fetchone()[0]
    return range(last - count + 1, last + 1)


def skip_audit_triggers() -> None:
    """For the rest of the current transaction, the audit trail's triggers do
    nothing. Only for loading synthetic data: no person's data changes, and
    PostgreSQL writes each audited row's event far more slowly when one
    transaction writes tens of thousands of them (50,000 residents took
    minutes with the triggers on, seconds without)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("skip_audit_triggers() only works inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pgtrigger.ignore', "
            "  COALESCE('{' || string_agg(DISTINCT tgname, ',') || '}', '{}'), true)"
            " FROM pg_trigger WHERE tgname LIKE 'pgtrigger%' AND NOT tgisinternal"
        )


def _cell(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value)
    if isinstance(value, Decimal | int | float):
        return str(value)
    return str(value)


def copy_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    table: str | None = None,
) -> int:
    """COPY rows (tuples in the order of ``fields``) into the model's table.

    ``fields`` are model field names (``site`` for a foreign key's id) or,
    for a many-to-many ``through`` table, its column names."""
    meta = model._meta
    columns = []
    for name in fields:
        try:
            columns.append(meta.get_field(name).column)
        except Exception:  # noqa: BLE001 - a through table's raw column
            columns.append(name)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
    buffer.seek(0)
    quoted = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f'COPY "{table or meta.db_table}" ({quoted}) FROM STDIN '
            f"WITH (FORMAT csv, NULL '{NULL}')",
            buffer,
        )
    return count
