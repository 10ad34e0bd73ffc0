"""Each indicator module's docstring leads to the indicator's whole story: the decisions recorded
for it, its catalog entry, the schemas of its extracts and its tests, all of which exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kinerja.catalog import load_catalog
from kinerja.indicators import registry

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("code", sorted(registry()))
def test_an_indicator_module_names_where_its_story_is(code):
    doc = " ".join((registry()[code].__doc__ or "").split())
    decisions = re.search(r'docs/decisions/([\w-]+\.md), section "([^"]+)"', doc)
    assert decisions, f"{code}: no decisions section named"
    record = (ROOT / "docs" / "decisions" / decisions.group(1)).read_text(encoding="utf-8")
    assert f"\n## {decisions.group(2)}\n" in record, decisions.groups()
    assert f"``{code}`` in catalog/pk-2024.toml" in doc
    for extract in load_catalog(2024).indicator(code).extracts:
        schema = f"schemas/{extract.split('/')[1]}.py"
        assert f"``{extract}`` ({schema})" in doc, extract
        assert (ROOT / schema).is_file(), schema
    tests = re.search(r"tests/(indicators/test_[\w]+\.py)", doc)
    assert tests and (ROOT / "tests" / tests.group(1)).is_file(), f"{code}: no test file named"
