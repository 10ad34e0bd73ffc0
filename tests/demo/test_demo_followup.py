"""The follow-up demo generators write a file every month that validates, with a small share of defects."""

import pytest

from kinerja import extracts, ingestion, pipeline
from kinerja.demo import (
    DemoContext,
    arahan_pengaduan,
    manajemen_pengetahuan,
    manajemen_risiko,
    rekomendasi_bpk,
    rencana_aksi,
    write_landing,
)
from kinerja.periods import Month

MODULES = [arahan_pengaduan, manajemen_pengetahuan, manajemen_risiko, rekomendasi_bpk, rencana_aksi]


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    root = tmp_path_factory.mktemp("landing")
    ctx = DemoContext(2024, scale=0.1)
    for module in MODULES:
        for item in module.generate(ctx):
            write_landing(root, item)
    return root


@pytest.mark.parametrize("extract_id", [e for m in MODULES for e in m.EXTRACTS])
def test_every_month_validates(catalog, landing, extract_id):
    ext = extracts.get(extract_id)
    read = quarantined = 0
    for m in range(1, 13):
        month = Month(2024, m)
        raw = ingestion.extract(landing, ext, month)
        validated = ingestion.validate_extract(raw, ext, catalog, month)
        read += validated.rows_read
        quarantined += validated.rows_quarantined
    assert read > 0
    assert quarantined <= max(3, 0.03 * read)  # about 1% defective rows


def test_demo_sizes_at_scale_one():
    ctx = DemoContext(2024, scale=1)
    complaints = sum(len(x.frame) for x in arahan_pengaduan.complaints(ctx))
    assert 5_500 <= complaints <= 7_500  # about 6,000 a year, plus those arriving again resolved
    directives = [len(x.frame) for x in arahan_pengaduan.directives(ctx)]
    assert min(directives) >= 25 and max(directives) <= 120
    register = rekomendasi_bpk.register(ctx)
    assert (register["appears"] == "2024-01").sum() == 460  # 400 open on 1 January + 60 resolved before


def test_demo_action_plan_has_a_late_and_an_undone_output(catalog):
    from kinerja import rencana_aksi as ra

    done = rencana_aksi.completions(DemoContext(2024))
    windows = pipeline.run_windows(catalog, Month(2024, 12))
    year = ra.compute(done, catalog, windows).query("period == '2024'")["status"].value_counts().to_dict()
    assert year == {"selesai tepat waktu": 8, "selesai terlambat": 1, "terlambat": 1}
