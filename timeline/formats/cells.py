"""Spreadsheet cells kept inert: a cell a spreadsheet would run as a formula is written with a leading `'`.

OWASP's CSV injection advice. The escape is undone on the way in (`revived`), so that a CSV this service
writes loads back to exactly what it held: a quote that begins with `-` or a negative figure survives.
"""

from __future__ import annotations

# What a spreadsheet takes for the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_escape(cell: str) -> bool:
    # A cell already starting with `'` before a formula start is escaped again, so that `revived` can tell them apart.
    while cell.startswith("'"):
        cell = cell[1:]
    return cell.startswith(FORMULA_STARTS)


def inert(cell: str) -> str:
    """The cell as written to a CSV: prefixed with `'` where a spreadsheet would run it."""
    return "'" + cell if _needs_escape(cell) else cell


def revived(cell: str) -> str:
    """A cell as read from a CSV: `inert`'s escape removed (the inverse of `inert`)."""
    return cell[1:] if cell.startswith("'") and _needs_escape(cell[1:]) else cell
