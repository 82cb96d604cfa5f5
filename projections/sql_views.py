"""Stable SQL views over the live generation of the facts tables: `facts`, `claims` and `ratings`.

The projection's tables are named per generation (`facts_g3_versions`) and a rebuild swaps in new ones,
so a tool reading the database (Datasette, `sqlite3`, `psql`) would meet other names after each rebuild.
These views keep one set of names: the runner recreates them inside every swap's transaction (and with a
store's first generation), pointing at the generation that goes live. They read the standing stored by
the projection (`projections/standing.py`), so the rule that decides which claim stands is not written
again in SQL. They are for reading by hand; the service itself reads the tables.

- `facts`: every fact not retracted, as its latest version says, with its first source, and `stands`
  where it is a claim (1 stands, 0 does not; NULL: not a claim);
- `claims`: every claim in effect, with its grade or figure, whether it stands, the claim that stands in
  its place (`standing`), whether it disputes that one, and the ids of those disputing it (`disputed_by`,
  a JSON array);
- `ratings`: the claims that are ratings, by subject, area and inspection.
"""

from __future__ import annotations

from projections.store import Cursor

NAMES = ("ratings", "claims", "facts")  # dropped in this order: a later one does not read an earlier one


def _field(dialect: str, column: str, *path: str) -> str:
    """A field of a JSON text column, as SQL: a text, or (SQLite) the number it holds."""
    if dialect == "postgres":
        return f"(({column})::json #>> '{{{','.join(path)}}}')"
    return f"json_extract({column}, '$.{'.'.join(path)}')"


def create_views(cursor: Cursor, prefix: str, dialect: str) -> None:
    """(Re)create the views over the generation with this table prefix, in the caller's transaction."""
    for name in NAMES:
        cursor.execute(f"DROP VIEW IF EXISTS {name}")

    def field(*path: str) -> str:
        return _field(dialect, "v.body", *path)

    source = (
        f"{field('source', 'publisher')} AS publisher, {field('source', 'url')} AS url, "
        f"{field('source', 'published')} AS published, v.source_kind, {field('source', 'quote')} AS quote"
    )
    cursor.execute(
        f"CREATE VIEW facts AS SELECT v.fact_id AS id, v.version, v.type, v.subject, v.occurred, "
        f"v.occurred_lower, v.occurred_upper, {field('data', 'summary')} AS summary, {source}, s.stands, "
        f"v.first_position AS position, v.first_recorded_at AS recorded_at, v.known_from AS version_position, v.body "
        f"FROM {prefix}_versions v LEFT JOIN {prefix}_standing s ON s.fact_id = v.fact_id "
        f"WHERE v.known_to IS NULL AND v.retracted = 0"
    )
    claim = (
        f"s.fact_id AS id, v.type, s.subject, v.occurred, {field('data', 'pillar')} AS pillar, "
        f"{field('data', 'inspection')} AS inspection, {field('data', 'grade')} AS grade, "
        f"{field('data', 'measure')} AS measure, {field('data', 'value')} AS value, {field('data', 'unit')} AS unit, "
        f"s.stands, s.standing, s.disputes, s.disputed_by, {source}"
    )
    joined = f"FROM {prefix}_standing s JOIN {prefix}_versions v ON v.fact_id = s.fact_id AND v.known_to IS NULL"
    cursor.execute(f"CREATE VIEW claims AS SELECT {claim} {joined}")
    rating = (
        f"s.fact_id AS id, s.subject, {field('data', 'pillar')} AS pillar, {field('data', 'inspection')} AS inspection, "
        f"{field('data', 'grade')} AS grade, v.occurred, s.stands, s.standing, s.disputes, s.disputed_by, {source}"
    )
    cursor.execute(f"CREATE VIEW ratings AS SELECT {rating} {joined} WHERE v.type = 'rating.published'")
