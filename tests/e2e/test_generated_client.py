"""A client generated from the live document, as an integrator would make one, keeps every schema and works."""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import rating

TOKEN = "client-token-" + uuid.uuid4().hex


@pytest.fixture
def generated(run_server, sqlite_database, tmp_path):
    """A seeded server with write tokens, and the package openapi-python-client generates from its /openapi.json."""
    base = run_server(sqlite_database, TIMELINE_TOKENS=f"integrator={TOKEN}")
    package = "timeline_client_" + uuid.uuid4().hex[:8]
    tool = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(tool), "generate", "--url", f"{base}/openapi.json", "--meta", "none", "--output-path", str(tmp_path / package)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
        # Its formatting step runs ruff, which is in this environment.
        env=os.environ | {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    document = httpx.get(f"{base}/openapi.json").json()
    sys.path.insert(0, str(tmp_path))
    try:
        yield base, tmp_path / package, importlib.import_module(package), document, output
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == package or name.startswith(package + ".")]:
            del sys.modules[name]


def model_names(package: Path) -> set[str]:
    """The classes the generated package exports as its models."""
    tree = ast.parse((package / "models" / "__init__.py").read_text(encoding="utf-8"))
    exported = next(node.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "__all__")
    return {element.value for element in exported.elts}


def test_the_generated_client_keeps_every_schema(generated):
    _, package, _, document, output = generated
    assert "Unable to process schema" not in output and "Warning" not in output, output
    assert set(document["components"]["schemas"]) <= model_names(package)


def test_the_generated_client_records_a_fact_and_reads_a_status(generated):
    base, _, client_package, _, _ = generated
    facts = importlib.import_module(client_package.__name__ + ".api.facts.record_facts")
    status = importlib.import_module(client_package.__name__ + ".api.subjects.get_status")
    models = importlib.import_module(client_package.__name__ + ".models")
    with client_package.AuthenticatedClient(base_url=base, token=TOKEN) as client:
        records_and_reads(client, facts, status, models)


def records_and_reads(client, facts, status, models) -> None:
    fact = rating(subject="force/cleveland", occurred="2030-05-01", data={
        "pillar": "effectiveness", "grade": "outstanding", "inspection": "PEEL 2030", "inspectorate": "org/hmicfrs",
    })
    receipt = facts.sync(client=client, body=models.Fact.from_dict(fact))
    assert isinstance(receipt, models.Receipt), receipt
    assert (receipt.id, receipt.version, receipt.created) == (fact["id"], 1, True)

    card = status.sync(client=client, kind=models.GetStatusKind.FORCE, slug="cleveland", min_position=receipt.position)
    assert isinstance(card, models.Status), card
    effectiveness = card.ratings["effectiveness"]
    assert (effectiveness.grade, effectiveness.fact, effectiveness.inspection) == ("outstanding", fact["id"], "PEEL 2030")
    assert card.name.name == "Cleveland Police"

    # An atomic batch, and the receipts of both.
    batch = [models.Fact.from_dict(rating(subject="force/cleveland")), models.Fact.from_dict(rating(subject="force/bedfordshire"))]
    receipts = facts.sync(client=client, body=batch)
    assert isinstance(receipts, models.Receipts) and [r.created for r in receipts.receipts] == [True, True], receipts

    # A refusal comes back typed too, naming the field.
    refused = facts.sync(client=client, body=models.Fact.from_dict(fact | {"id": str(uuid.uuid4()), "occurred": "2030-13"}))
    assert isinstance(refused, models.Problem) and [e.field for e in refused.errors] == ["occurred"], refused
