"""Headlines: a fact in one line, in words, naming subjects by their recorded names."""

from __future__ import annotations

from timeline.headlines import headline


def role(role: str, organisation: str, **data: str) -> str:
    return headline("role.held", "person/andy-burnham", {"role": role, "organisation": organisation} | data)


def test_a_role_names_its_holder_the_role_and_the_organisation():
    assert role("Chief Constable", "force/cleveland") == "Andy Burnham: Chief Constable, Cleveland"
    assert role("Chief Constable", "force/cleveland", ended="dismissed") == "Andy Burnham: Chief Constable, Cleveland (dismissed)"


def test_an_office_named_for_its_role_is_said_once():
    assert role("Mayor of Greater Manchester", "office/mayor-of-greater-manchester") == "Andy Burnham: Mayor of Greater Manchester"


def test_a_recorded_name_is_used_for_the_organisation():
    named = headline("role.held", "person/x", {"role": "Chief Constable", "organisation": "force/gmp"}, None, {"force/gmp": "Greater Manchester Police"})
    assert named == "X: Chief Constable, Greater Manchester Police"
