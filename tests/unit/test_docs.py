"""The vocabulary document says what the schemas say."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "vocabulary_doc.py"


def test_docs_vocabulary_md_is_generated_from_the_current_schemas():
    spec = importlib.util.spec_from_file_location("vocabulary_doc", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DOC.read_text(encoding="utf-8") == module.render(), "run: python scripts/vocabulary_doc.py"


API_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "api_doc.py"


def test_docs_api_md_operations_and_answer_shapes_are_generated_from_the_models():
    spec = importlib.util.spec_from_file_location("api_doc", API_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.DOC.read_text(encoding="utf-8") == module.render(), "run: python scripts/api_doc.py"
