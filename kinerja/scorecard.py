"""The scorecard as the agreement shows it: TW I-IV and the year, target, realisasi, capaian, status."""

from __future__ import annotations

import math

import pandas as pd
import sqlalchemy as sa

from kinerja import warehouse

PERIODS = (("tw1", "TW I"), ("tw2", "TW II"), ("tw3", "TW III"), ("tw4", "TW IV"), ("year", "Tahunan"))


def fetch(engine: sa.Engine, pk_year: int, computed_only: bool = True) -> pd.DataFrame:
    """The scorecard rows of a PK year; by default only indicators that have results."""
    sql = ("SELECT s.*, i.decimals FROM v_scorecard s JOIN indicator i "
           "ON i.pk_year = s.pk_year AND i.indicator_no = s.indicator_no "
           "WHERE s.pk_year = :y ORDER BY s.indicator_no")
    df = warehouse.query(engine, sql, y=pk_year)
    if computed_only:
        df = df[df["year_status"].notna()]
    return df.astype(object).where(df.notna(), None).reset_index(drop=True)


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def id_number(value, decimals: int = 2) -> str:
    """Indonesian display: ``1.234,56``; ``-`` for a missing value."""
    if _missing(value):
        return "-"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _target(value, decimals: int) -> str:
    return "N/A" if _missing(value) else id_number(value, decimals)


def text(df: pd.DataFrame, year: int) -> str:
    lines = [f"Perjanjian Kinerja {year}: scorecard", ""]
    header = f"    {'periode':<8} {'target':>10} {'realisasi':>12} {'capaian %':>10}  status"
    for row in df.itertuples(index=False):
        d = int(row.decimals)
        lines.append(f"{row.indicator_no:>2}. {row.indicator} ({row.unit_of_measure})")
        lines.append(header)
        for key, label in PERIODS:
            target = getattr(row, f"{key}_target")
            value = getattr(row, f"{key}_realisasi")
            cap = getattr(row, f"{key}_capaian")
            status = getattr(row, f"{key}_status") or "belum dihitung"
            lines.append(f"    {label:<8} {_target(target, d):>10} {id_number(value, d):>12} "
                         f"{id_number(cap, 2):>10}  {status}")
        if row.year_category:
            lines.append(f"    kategori: {row.year_category}")
        lines.append("")
    return "\n".join(lines)


def markdown(df: pd.DataFrame) -> str:
    head = "| No | Indikator | Satuan | " + " | ".join(label for _, label in PERIODS) + " |"
    lines = [head, "|---:|---|---|" + "---|" * len(PERIODS)]
    for row in df.itertuples(index=False):
        d = int(row.decimals)
        cells = []
        for key, _ in PERIODS:
            cells.append(f"T {_target(getattr(row, f'{key}_target'), d)} · "
                         f"R {id_number(getattr(row, f'{key}_realisasi'), d)} · "
                         f"{id_number(getattr(row, f'{key}_capaian'), 2)}% · "
                         f"{getattr(row, f'{key}_status') or '-'}")
        lines.append(f"| {row.indicator_no} | {row.indicator} | {row.unit_of_measure} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
