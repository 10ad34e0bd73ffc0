"""The catalog is the only source of agreement rules: no target, weight, band, deadline, code list
or scoring-table entry of the catalog appears as a literal in a formula module."""

import ast
from pathlib import Path

import pytest

from kinerja.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
FORMULA_MODULES = sorted(p for p in (ROOT / "kinerja" / "indicators").glob("*.py")
                         if p.name not in {"__init__.py", "base.py"})
FORMULA_MODULES += [p for p in [ROOT / "kinerja" / "rencana_aksi.py"] if p.exists()]
# neutral numbers every formula may use: nothing, one, a whole in percent
NEUTRAL = {0, 1, 100}
# catalog keywords, not rules ("all" sub-aspects in scope)
KEYWORDS = {"all"}


def _scalars(value):
    """Every value of a rule; keys are names the code may look up, not rules."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _scalars(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _scalars(v)
    elif value is not None and not isinstance(value, bool):
        yield value


def agreement_values():
    catalog = load_catalog(2024)
    values = set()
    for ind in catalog.indicators.values():
        values |= set(_scalars(ind.rules))
        values |= {t for t in ind.targets.values() if t is not None}
        values |= {b.min for b in ind.bands if b.min is not None} | {b.label for b in ind.bands}
    values |= {catalog.collection_deadline_day, catalog.correction_deadline_day}
    values |= {p.output_code for p in catalog.action_plan}
    numbers = {v for v in values if isinstance(v, int | float)} - NEUTRAL
    strings = {v for v in values if isinstance(v, str) and len(v) > 1} - KEYWORDS
    return numbers, strings


def literals(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docstrings and not isinstance(node.value, bool):
            yield node.lineno, node.value


@pytest.mark.parametrize("path", FORMULA_MODULES, ids=lambda p: p.name)
def test_formula_module_has_no_agreement_constant(path):
    numbers, strings = agreement_values()
    found = [(line, v) for line, v in literals(path)
             if (isinstance(v, int | float) and v in numbers) or (isinstance(v, str) and v in strings)]
    assert not found, f"{path.name} holds agreement values that belong in the catalog: {found}"


def test_the_check_would_catch_a_literal(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('WEIGHT = 0.35\nCODES = ["5.2.02"]\n', encoding="utf-8")
    numbers, strings = agreement_values()
    hits = [v for _, v in literals(bad) if v in numbers or v in strings]
    assert hits == [0.35, "5.2.02"]
