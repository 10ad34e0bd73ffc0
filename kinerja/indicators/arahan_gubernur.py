"""Indicator 12: follow-up of the governor's directives (*tindak lanjut arahan Gubernur*).

Window: the directives issued in it; realised: those completed by the window's
cutoff. Value = realised / issued x 100; none issued: no value. Components per
channel (rapim, e-office, electronic media, other; catalog ``channels``).

Its whole story: the decisions in docs/decisions/follow-up.md, section "Arahan Gubernur (12) and
pengaduan (13)"; the catalog entry ``arahan_gubernur`` in catalog/pk-2024.toml; the extract
``ekinerja/arahan_gubernur`` (schemas/arahan_gubernur.py); the tests in
tests/indicators/test_arahan_pengaduan.py.
"""

from __future__ import annotations

import pandas as pd

from kinerja.catalog import Indicator
from kinerja.indicators.base import Computed
from kinerja.indicators.tindak_lanjut import closure_rate
from kinerja.periods import Window

CODE = "arahan_gubernur"
EXTRACT = "ekinerja/arahan_gubernur"


def compute(inputs: dict[str, pd.DataFrame], windows: list[Window], indicator: Indicator) -> Computed:
    return closure_rate(inputs[EXTRACT], "issued_at", "completed_at", windows, ("issued", "completed"),
                        group="channel", groups=indicator.rules["channels"])
