"""Reading a view's live tables whole, to compare two ways of building them."""

from __future__ import annotations

from projections.runner import ProjectionRunner, live_prefix


def dump_view(runner: ProjectionRunner, name: str) -> tuple[int, list[list[tuple]]]:
    """A view's position and every row of its live tables, in a stable order."""
    projection = runner.projections[name]
    with runner.store.read() as cursor:
        prefix, position = live_prefix(cursor, name)
        tables = []
        for table in projection.table_names(prefix):
            cursor.execute(f"SELECT * FROM {table}")
            tables.append(sorted(map(tuple, cursor.fetchall()), key=repr))
    return position, tables
