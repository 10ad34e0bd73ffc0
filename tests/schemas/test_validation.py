"""kinerja/validation.py: pandera validates each extract against its schema, lazily, and its failure
cases become the quarantine; nothing reaches into pandera's private modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import pytest
from pandera.config import config_context

from kinerja import extracts, ingestion
from kinerja.extracts import DUPLICATE_KEY, Column, Extract, ValidationContext
from kinerja.periods import Month
from kinerja.readers import ExtractFileError, RawExtract
from kinerja.validation import validate

ROOT = Path(__file__).resolve().parents[2]
MARCH = Month(2024, 3)

# pandera's public API: the pandas entry point, its errors, check registration and the
# documented configuration
PUBLIC_MODULES = {"pandera.pandas", "pandera.errors", "pandera.extensions"}
PUBLIC_CONFIG = {"config_context", "get_config_context", "ValidationDepth"}
INTERNAL_PARTS = {"api", "backends", "engines", "io", "strategies", "typing", "dtypes", "utils"}


def pandera_imports_outside_public_api(source: str) -> list[str]:
    """Imports (and attribute paths through an imported pandera module) beyond pandera's public API."""
    problems, aliases = [], {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "pandera":
                    if alias.name not in PUBLIC_MODULES:
                        problems.append(f"import {alias.name}")
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pandera":
            names = [a.name for a in node.names]
            if node.module == "pandera.config":
                problems += [f"from pandera.config import {n}" for n in names if n not in PUBLIC_CONFIG]
            elif node.module not in PUBLIC_MODULES and not (node.module == "pandera" and
                                                            set(names) <= {"errors", "extensions"}):
                problems.append(f"from {node.module} import {', '.join(names)}")
            problems += [f"from {node.module} import {n}" for n in names if n.startswith("_")]
    for node in ast.walk(ast.parse(source)):  # pa.api..., pa._something
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and (node.attr.startswith("_") or node.attr in INTERNAL_PARTS)):
            problems.append(f"{node.value.id}.{node.attr}")
    return sorted(set(problems))


@pytest.mark.parametrize("path", ["kinerja/validation.py", "kinerja/extracts.py",
                                  *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "schemas").glob("*.py"))])
def test_only_pandera_public_api_is_used(path):
    assert pandera_imports_outside_public_api((ROOT / path).read_text(encoding="utf-8")) == []


def test_the_import_check_catches_internals():
    source = ("import pandera.pandas as pa\nfrom pandera.engines.pandas_engine import Engine\n"
              "from pandera.config import ValidationDepth, _CONTEXT_CONFIG\nimport pandera.backends.pandas\n"
              "from pandera.errors import SchemaErrors\nx = pa.api.checks\n")
    assert pandera_imports_outside_public_api(source) == [
        "from pandera.config import _CONTEXT_CONFIG", "from pandera.engines.pandas_engine import Engine",
        "import pandera.backends.pandas", "pa.api"]


# -- one pandera schema per extract, built from its definition ------------------------------------------------

@pytest.mark.parametrize("extract_id", sorted(extracts.registry()))
def test_each_extract_has_one_pandera_schema_from_its_definition(catalog, extract_id):
    ext = extracts.get(extract_id)
    schema = ext.schema(ValidationContext(catalog, MARCH))
    assert isinstance(schema, pa.DataFrameSchema) and schema.name == ext.id
    assert list(schema.columns) == ext.column_names
    assert {n: c.nullable for n, c in schema.columns.items()} == {c.name: c.nullable for c in ext.columns}
    for col in schema.columns.values():  # every check has a name and a reason in words
        for check in col.checks:
            assert re.fullmatch(r"[a-z_]+", check.name) and check.error, (col.name, check)
    for check in schema.checks:  # every row rule names the columns it reads
        assert re.fullmatch(r"[a-z_]+", check.name) and check.error, check
        assert set(check.statistics["columns"]) <= set(ext.column_names), check
    assert [c.name for c in schema.checks].count(DUPLICATE_KEY) == 1
    unique = next(c for c in schema.checks if c.name == DUPLICATE_KEY)
    assert tuple(unique.statistics["columns"]) == ext.key


# -- failure cases become quarantine rows -----------------------------------------------------------------------

def _extract(*checks, row_checks=(), dtype="Int64") -> Extract:
    schema = pa.DataFrameSchema({"a": pa.Column(dtype, list(checks), nullable=True), "b": pa.Column("string")},
                                checks=list(row_checks), name="t/x")
    return Extract("t", "x", "test", ("b",), (Column("a", "int", "a", nullable=True), Column("b", "text", "b")),
                   lambda _ctx: schema)


def _raw(columns: dict[str, list]) -> RawExtract:
    frame = pd.DataFrame(columns, dtype="string")
    return RawExtract(frame, pd.Series(range(2, len(frame) + 2), dtype="int64"), "t/2024-03/x.csv", "0" * 64)


RAW = {"a": ["1", None, "5", "-1"], "b": ["p", "q", None, "r"]}


def _quarantine(result) -> list[tuple]:
    return [(r.row_number, r.column_name, r.check_name, r.reason) for r in result.quarantine.itertuples()]


def test_a_check_that_fails_as_a_whole_fails_the_file(catalog):
    ctx = ValidationContext(catalog, MARCH)
    cases = [(_extract(pa.Check(lambda s: False, error="never")), "column a fails never as a whole"),
             (_extract(pa.Check(lambda s: 1 / 0, error="raises")), "column a fails raises as a whole"),
             (_extract(dtype="Float64"), "column a fails dtype('Float64') as a whole")]
    for ext, words in cases:
        with pytest.raises(ExtractFileError, match=re.escape(words)):
            validate(_raw(RAW), ext, ctx)


def test_two_checks_of_one_name_failing_on_one_cell_keep_the_first_declared(catalog):
    ext = _extract(pa.Check.gt(2, name="range", error="must be above 2"),
                   pa.Check.gt(3, name="range", error="must be above 3"),
                   row_checks=[extracts.row_rule("range", lambda df: df["a"].fillna(9) > 0, "must be positive",
                                                 columns=("a",))])
    result = validate(_raw(RAW), ext, ValidationContext(catalog, MARCH))
    assert _quarantine(result) == [
        (2, "a", "range", "a must be above 2"),
        (4, "b", "required", "b is blank but required"),
        (5, "a", "range", "row must be positive"),  # the row rule is listed before the column's checks
    ]


def test_a_row_rule_names_its_columns_and_shows_their_values(catalog):
    ext = _extract(row_checks=[extracts.row_rule("order", lambda df: df["a"].fillna(0) < 5, "has a too big",
                                                 columns=("a", "b"))])
    result = validate(_raw(RAW), ext, ValidationContext(catalog, MARCH))
    rows = [(r.row_number, r.column_name, r.check_name, None if pd.isna(r.value) else r.value, r.reason)
            for r in result.quarantine.itertuples()]
    assert rows == [(4, "a,b", "order", "a=5; b=", "row has a too big"),
                    (4, "b", "required", None, "b is blank but required")]


def test_checks_run_even_where_pandera_validation_is_switched_off(catalog):
    ext = _extract(pa.Check.gt(2, name="range", error="must be above 2"))
    with config_context(validation_enabled=False):
        result = validate(_raw(RAW), ext, ValidationContext(catalog, MARCH))
    assert {(r.row_number, r.check_name) for r in result.quarantine.itertuples()} == {(2, "range"), (4, "required"),
                                                                                       (5, "range")}


def test_every_failing_row_is_quarantined_however_many(catalog):
    n = 1500
    ext = _extract(pa.Check.gt(2, name="range", error="must be above 2"))
    result = validate(_raw({"a": [str(i % 7) for i in range(n)], "b": [f"k{i}" for i in range(n)]}), ext,
                      ValidationContext(catalog, MARCH))
    assert result.rows_quarantined == sum(1 for i in range(n) if i % 7 <= 2)
    assert result.rows_staged + result.rows_quarantined == n


def test_every_copy_of_a_natural_key_names_the_rows_of_all_copies(catalog):
    ext = extracts.get("simdiklat/training")
    nip = "196507191985032002"
    row = [nip, "T1", "2024-03-01", "2024-03-02", "8", "ya"]
    other = ["199001012015031001", "T1", "2024-03-01", "2024-03-02", "8", "ya"]
    frame = dict(zip(ext.column_names, zip(row, other, row, strict=True), strict=True))
    result = validate(_raw({k: list(v) for k, v in frame.items()}), ext, ValidationContext(catalog, MARCH))
    assert result.rows_staged == 1
    assert _quarantine(result) == [
        (r, "nip,training_id", "duplicate_key", "natural key (nip=1965**********2002, training_id=T1) appears on rows "
                                                "2, 4 of the file: every copy is quarantined; keep one and send the "
                                                "file again") for r in (2, 4)]


def test_every_quarantined_check_is_one_its_schema_declares(tmp_path, catalog):
    """A defect-heavy demo: every quarantine row names a check of its extract's schema (or a cell
    that did not parse), once per row, column and check, with a reason in words."""
    from kinerja.demo import DemoContext, generators, write_landing

    demo = DemoContext(2024, seed=11, scale=0.05, defect_rate=0.2)
    checked = set()
    for module in generators():
        for item in module.generate(demo):
            if item.month.month not in (3, 12):
                continue
            write_landing(tmp_path, item)
            ext = extracts.get(item.extract_id)
            ctx = ValidationContext(catalog, item.month)
            schema = ext.schema(ctx)
            declared = ({c.name for col in schema.columns.values() for c in col.checks}
                        | {c.name for c in schema.checks} | {"required", "spreadsheet_error"}
                        | {f"parse_{c.kind}" for c in ext.columns})
            result = ingestion.validate_extract(ingestion.extract(tmp_path, ext, item.month), ext, catalog, item.month)
            q = result.quarantine
            assert set(q["check_name"]) <= declared, (ext.id, set(q["check_name"]) - declared)
            assert not q.duplicated(["row_number", "column_name", "check_name"]).any(), ext.id
            for rec in q.itertuples():
                first = rec.column_name.split(",")[0]
                assert rec.reason.startswith((f"{first} ", f"{rec.column_name} ", "row ", "natural key (")), rec
            checked.add(ext.id)
    assert checked >= set(extracts.registry()) - {"portal_data/daftar_data"}
