"""Reading a view's live tables whole, to compare two ways of building them."""

from __future__ import annotations

from projections.runner import ProjectionRunner, live_prefix

# What readers see of the ready default statuses, once refreshed: when each answer was marked and computed
# depends on the batches and refreshes that made it, not on the log.
READY_COLUMNS = {"_ready": "subject, answer, expecting", "_ready_state": "last_day"}


def dump_view(runner: ProjectionRunner, name: str) -> tuple[int, list[list[tuple]]]:
    """A view's position and every row of its live tables, in a stable order (ready answers refreshed first)."""
    while runner.refresh():
        pass
    projection = runner.projections[name]
    with runner.store.read() as cursor:
        prefix, position = live_prefix(cursor, name)
        tables = []
        for table in projection.table_names(prefix):
            columns = READY_COLUMNS.get(table.removeprefix(prefix), "*")
            cursor.execute(f"SELECT {columns} FROM {table}")
            tables.append(sorted(map(tuple, cursor.fetchall()), key=repr))
    return position, tables
