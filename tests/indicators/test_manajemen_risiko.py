"""Indicator 10, risk management: verified required documents by the window's cutoff / 2 x 100."""

import pandas as pd
import pytest

from kinerja.indicators import manajemen_risiko as mr
from kinerja.periods import Month, windows_to_date

TZ = "Asia/Jakarta"


DECEMBER = Month(2024, 12)


def local(values):
    return pd.to_datetime(pd.Series(values, dtype="object")).dt.tz_localize(TZ).astype(f"datetime64[us, {TZ}]")


def documents(rows):
    df = pd.DataFrame(rows, columns=["doc_id", "doc_type", "submitted_at", "verified", "verified_at"])
    df["submitted_at"] = local(df["submitted_at"])
    df["verified_at"] = local(df["verified_at"])
    return df.astype({"doc_id": "string", "doc_type": "string", "verified": "boolean"})


def run(catalog, docs, as_of=DECEMBER):
    windows = windows_to_date(as_of, catalog.collection_deadline_day, catalog.timezone)
    return mr.compute({mr.EXTRACT: docs}, windows, catalog.indicator("manajemen_risiko"))


def test_verified_exactly_at_the_cutoff_counts_and_after_the_year_does_not(catalog):
    docs = documents([
        # TW II report, verified at the TW II cutoff (2024-07-05 23:59:59): counts for TW II
        ("D1", "FLPR-TW2", "2024-07-02 09:00:00", True, "2024-07-05 23:59:59"),
        # TW IV report verified after the year's cutoff (2025-01-05 23:59:59): not by the period's end
        ("D2", "FLPR-TW4", "2024-12-20 10:00:00", True, "2025-01-06 08:00:00"),
    ])
    out = run(catalog, docs)
    assert out.value("2024-03") == 0  # nothing yet: 0 / 2
    assert out.value("2024-05") == 0  # May's cutoff is 2024-06-05
    assert out.value("2024-06") == pytest.approx(50)  # June's cutoff 2024-07-05 23:59:59: D1 -> 1/2
    assert out.value("2024-Q2") == pytest.approx(50)
    assert out.value("2024-Q3") == pytest.approx(50)  # ytd to September
    assert out.value("2024-Q4") == pytest.approx(50)  # D2 verified after 2025-01-05: 1/2
    assert out.value("2024") == pytest.approx(50)
    assert out.component("2024", "submitted_flpr_tw4") == 1
    assert out.component("2024", "verified_flpr_tw4") == 0


def test_document_verified_after_its_period_counts_only_later(catalog):
    docs = documents([
        ("D1", "FLPR-TW2", "2024-07-01 09:00:00", True, "2024-07-06 00:00:00"),  # one second past TW II cutoff
        ("D2", "FLPR-TW4", "2024-12-02 10:00:00", True, "2024-12-30 14:00:00"),
    ])
    out = run(catalog, docs)
    assert out.value("2024-Q2") == 0  # 0 / 2
    assert out.value("2024-07") == pytest.approx(50)  # July's cutoff 2024-08-05
    assert out.value("2024-Q3") == pytest.approx(50)
    assert out.value("2024-Q4") == pytest.approx(100)  # 2 / 2
    assert out.value("2024") == pytest.approx(100)


def test_unverified_and_duplicate_documents(catalog):
    docs = documents([
        ("D1", "FLPR-TW2", "2024-06-28 09:00:00", False, None),  # submitted, never verified
        ("D2", "FLPR-TW4", "2024-12-02 10:00:00", True, "2024-12-10 14:00:00"),
        ("D3", "FLPR-TW4", "2024-12-03 10:00:00", True, "2024-12-11 14:00:00"),  # a second TW IV: counts once
    ])
    out = run(catalog, docs)
    assert out.value("2024-Q2") == 0
    assert out.component("2024-Q2", "submitted_flpr_tw2") == 1
    assert out.value("2024") == pytest.approx(50)  # TW IV only: 1 / 2
    assert out.component("2024", "n_verified") == 1


def test_no_documents_is_zero_of_the_required(catalog):
    out = run(catalog, documents([]), Month(2024, 6))
    assert out.value("2024-Q2") == 0
    assert out.component("2024-Q2", "n_required") == 2
