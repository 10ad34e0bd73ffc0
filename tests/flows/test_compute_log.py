"""The compute task's log shows each indicator's year to date the way the scorecard prints it."""

from __future__ import annotations

import logging

import pandas as pd

from kinerja import pipeline
from kinerja.scorecard import id_number
from tasks import compute


def _year_result(value: float | None, status: str) -> pd.DataFrame:
    return pd.DataFrame({"period_type": ["month", "year"], "unit_code": ["ALL", "ALL"],
                         "value": [1.23456789, value], "status": ["tanpa target", status]})


def test_year_to_date_is_logged_with_a_decimal_comma_and_the_indicators_decimals(catalog, monkeypatch, caplog):
    ipasn, sdi, skm = catalog.indicator("ipasn"), catalog.indicator("sdi"), catalog.indicator("skm")
    assert (ipasn.decimals, sdi.decimals) == (2, 4)  # the catalog's decimals, which the scorecard uses
    values = {ipasn.no: (49.08848864526233, "tidak tercapai"), sdi.no: (3.716666666666667, "tercapai"),
              skm.no: (float("nan"), "tidak ada data")}
    monkeypatch.setattr(pipeline, "compute_indicator",
                        lambda ind, inputs, windows, pk_year: (_year_result(*values[ind.no]), pd.DataFrame()))
    monkeypatch.setattr(compute, "get_run_logger", lambda: logging.getLogger("test.compute"))
    with caplog.at_level(logging.INFO, logger="test.compute"):
        compute.compute_indicators.fn([ipasn, sdi, skm], {}, [], 2024, "2024-12")
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        f"indicator {ipasn.no} (ipasn): year to date 49,09, tidak tercapai",
        f"indicator {sdi.no} (sdi): year to date 3,7167, tercapai",
        f"indicator {skm.no} (skm): year to date -, tidak ada data",
    ]
    # the same text the scorecard shows for the value
    assert id_number(49.08848864526233, ipasn.decimals) in lines[0]
