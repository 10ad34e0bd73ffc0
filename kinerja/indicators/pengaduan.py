"""Indicator 13: resolution of public complaints (*penyelesaian pengaduan masyarakat*, CRM).

Window: the complaints received in it; realised: those resolved by the window's
cutoff. Value = resolved / received x 100; none received: no value.

Its whole story: the decisions in docs/decisions/follow-up.md, section "Arahan Gubernur (12) and
pengaduan (13)"; the catalog entry ``pengaduan`` in catalog/pk-2024.toml; the extract
``crm/pengaduan`` (schemas/pengaduan.py); the tests in tests/indicators/test_arahan_pengaduan.py.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import Computed
from kinerja.indicators.tindak_lanjut import closure_rate
from kinerja.periods import Window

CODE = "pengaduan"
EXTRACT = "crm/pengaduan"


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    return closure_rate(inputs[EXTRACT], "received_at", "resolved_at", windows, ("received", "resolved"))
