"""After ``kinerja demo``, no NIP of the landing files appears anywhere in the warehouse (SPEC section 6):
every table and every column is scanned for every NIP read from every landing file (CSV, XLSX,
Parquet, JSON), including the defective 17-digit ones the demo plants."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from kinerja import extracts, warehouse
from kinerja.cli import main

pytestmark = pytest.mark.flow
DIGITS = re.compile(r"(?<!\d)\d{17,18}(?!\d)")
PERSONNEL = [e.id for e in extracts.registry().values() if any(c.pii for c in e.columns)]


def landing_text(path: Path) -> str:
    """A landing file's cells as text, whatever its format."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        text = "\n".join(" ".join("" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer()
                                                           else str(v)) for v in row)
                         for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
        wb.close()
        return text
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(str).to_csv(index=False)
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return ""


def nips_in_landing(landing: Path) -> set[str]:
    found: set[str] = set()
    for path in landing.rglob("*"):
        if path.is_file():
            found |= set(DIGITS.findall(landing_text(path)))
    return found


def digit_runs_in_warehouse(engine) -> tuple[set[str], int]:
    """Every run of 17 or more digits in any column of any table, and how many cells were scanned."""
    runs: set[str] = set()
    cells = 0
    with engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            df = pd.read_sql(sa.text(f"SELECT * FROM {table}"), conn)
            cells += df.size
            for col in df.columns:
                text = df[col].astype(object).map(lambda v: "" if v is None else str(v))
                runs |= {r for found in text.str.findall(r"\d{17,}") for r in found}
    return runs, cells


@pytest.mark.skipif(not PERSONNEL, reason="no personnel extract (a column marked pii) is registered yet: "
                                          "re-run when simpeg/pns_snapshot and simdiklat/training exist")
def test_no_nip_of_the_landing_files_reaches_the_warehouse(prefect_harness, tmp_path, capsys):
    landing = tmp_path / "landing"
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    code = main(["demo", "--scale", "0.02", "--landing", str(landing), "--warehouse", url])
    assert code in (0, 1), capsys.readouterr().err  # 1: some month failed (reported, not our concern here)

    nips = nips_in_landing(landing)
    assert len(nips) > 100, "the demo's personnel files must hold NIPs for this test to mean anything"
    assert any(len(n) == 17 for n in nips)  # the demo's defective NIPs are checked too

    engine = warehouse.create_engine(url)
    staged = warehouse.query(engine, "SELECT COUNT(*) AS n FROM stg_simpeg__pns_snapshot")["n"].iloc[0]
    assert staged > 100  # personnel rows did reach staging, as pseudonyms
    runs, cells = digit_runs_in_warehouse(engine)
    engine.dispose()
    assert cells > 10_000
    leaked = {n for n in nips if n in runs or any(n in r for r in runs if len(r) > len(n))}
    assert not leaked, f"{len(leaked)} NIPs from the landing files are in the warehouse"
