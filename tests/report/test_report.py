"""``kinerja report``: the spreadsheet and the page, opened and read back.

The warehouse is a real one (tests/report_warehouse.py): demo SKM and SDI data for
January-April 2024 through the pipeline functions, a restated TW I SKM value, and
indicator 4 ``tidak ada data``; the other eleven indicators have no result rows.
"""

from __future__ import annotations

import math
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from report_warehouse import build

from kinerja import pipeline, report, warehouse
from kinerja.cli import main
from kinerja.report import charts, data, xlsx
from kinerja.scorecard import id_number

YEAR = 2024
MONTHS = 4
FIRST_DATA_ROW = 7  # title, agency, meta, blank, two header rows
STATUS_COL = {"tw1": 8, "tw2": 12, "tw3": 16, "tw4": 20, "year": 24}  # Status column of each period


@pytest.fixture(scope="module")
def built(tmp_path_factory, catalog):
    tmp = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{tmp / 'warehouse.db'}"
    engine = warehouse.create_engine(url)
    pipeline.prepare_warehouse(engine, catalog)
    info = build(engine, catalog, tmp / "landing", months=MONTHS)
    # a quarantined value that would run as a formula in a spreadsheet
    with engine.begin() as conn:
        warehouse.insert_rows(conn, "quarantine", [{
            "run_id": "run-2024-01", "pk_year": YEAR, "landing_month": "2024-01", "source": "ekinerja",
            "extract": "skm_responses", "file": "ekinerja/2024-01/skm_responses.csv", "row_number": 7,
            "column_name": "unit_code", "check_name": "@evil", "value": "=1+1",
            "reason": '=HYPERLINK("http://example.invalid","klik")', "quarantined_at": "2024-02-06T01:00:00+00:00"}])
    yield {"engine": engine, "url": url, "tmp": tmp, **info}
    engine.dispose()


@pytest.fixture(scope="module")
def loaded(built):
    return data.load(built["engine"], YEAR)


@pytest.fixture(scope="module")
def workbook(built, loaded):
    out = built["tmp"] / "scorecard.xlsx"
    report.write(loaded, "xlsx", out)
    return load_workbook(out)


def current(engine, no: int, period: str) -> dict:
    df = warehouse.query(engine, "SELECT * FROM indicator_result WHERE pk_year = :y AND indicator_no = :i "
                                 "AND unit_code = 'ALL' AND period = :p", y=YEAR, i=no, p=period)
    return df.iloc[0].to_dict()


# -- the spreadsheet --------------------------------------------------------------------------------

def test_spreadsheet_has_the_14_indicators_with_the_agreement_targets(workbook, catalog):
    ws = workbook["Perjanjian Kinerja"]
    numbers = [ws.cell(row=FIRST_DATA_ROW + i, column=1).value for i in range(14)]
    assert numbers == list(range(1, 15))
    assert ws.cell(row=FIRST_DATA_ROW + 14, column=1).value is None  # nothing after the 14th
    for i, ind in enumerate(catalog.indicators.values()):
        r = FIRST_DATA_ROW + i
        assert ws.cell(row=r, column=3).value == ind.name
        assert ws.cell(row=r, column=4).value == ind.unit_of_measure
        for key, col in zip(("Q1", "Q2", "Q3", "Q4", "year"), (5, 9, 13, 17, 21), strict=True):
            cell = ws.cell(row=r, column=col)
            expected = ind.targets[key]
            if expected is None:
                assert cell.value == "N/A", (ind.no, key)
            else:
                assert cell.value == pytest.approx(expected), (ind.no, key)
                assert cell.number_format == f"[$-421]#,##0.{'0' * ind.decimals}"
    # SPEC section 3 by hand: indicator 1 year target 319,53; indicator 5 year target 3,25 (4 decimals)
    assert ws.cell(row=FIRST_DATA_ROW, column=21).value == pytest.approx(319.53)
    assert ws.cell(row=FIRST_DATA_ROW + 4, column=21).number_format == "[$-421]#,##0.0000"


def test_spreadsheet_headers(workbook):
    ws = workbook["Perjanjian Kinerja"]
    assert [ws.cell(row=5, column=c).value for c in (1, 2, 3, 4)] == ["Nomor", "Sasaran", "Indikator Kinerja",
                                                                      "Satuan"]
    assert [ws.cell(row=5, column=c).value for c in (5, 9, 13, 17, 21)] == ["TW I", "TW II", "TW III", "TW IV",
                                                                            "Tahunan"]
    assert [ws.cell(row=6, column=c).value for c in range(5, 9)] == ["Target", "Realisasi", "Capaian (%)",
                                                                     "Status"]


def test_spreadsheet_values_statuses_and_formats(workbook, built):
    ws = workbook["Perjanjian Kinerja"]
    r3 = FIRST_DATA_ROW + 2  # indicator 3, SKM
    q1 = current(built["engine"], 3, "2024-Q1")
    old, new = built["restated"]
    assert q1["value"] == pytest.approx(new)  # the restated value is the one shown
    assert ws.cell(row=r3, column=6).value == pytest.approx(new)
    assert ws.cell(row=r3, column=6).number_format == "[$-421]#,##0.00"
    # capaian = realisasi / target x 100 (target 94 for TW I)
    assert ws.cell(row=r3, column=7).value == pytest.approx(new / 94 * 100)
    assert ws.cell(row=r3, column=7).number_format == "[$-421]#,##0.00"
    assert ws.cell(row=r3, column=8).value == q1["status"]
    # TW III not reached in a January-April warehouse: belum dihitung, no number
    assert ws.cell(row=r3, column=STATUS_COL["tw3"]).value == "belum dihitung"
    assert ws.cell(row=r3, column=14).value is None
    # TW II as of April is partial, and its comment says so, with the lineage
    comment = ws.cell(row=r3, column=10).comment.text
    assert "run run-2024-04" in comment and "data s.d. 2024-04" in comment and "berjalan" in comment
    # indicator 4: its extract failed -> tidak ada data, never a zero
    r4 = FIRST_DATA_ROW + 3
    assert ws.cell(row=r4, column=STATUS_COL["tw1"]).value == "tidak ada data"
    assert ws.cell(row=r4, column=6).value is None
    # indicator 1: no formula module result at all -> belum dihitung in every period
    for col in STATUS_COL.values():
        assert ws.cell(row=FIRST_DATA_ROW, column=col).value == "belum dihitung"
    # status colours
    assert ws.cell(row=r4, column=8).fill.fgColor.rgb.endswith("FFF0C7")
    r5 = FIRST_DATA_ROW + 4
    assert ws.cell(row=r5, column=8).value == "tanpa target"  # SDI TW I: target N/A
    assert ws.cell(row=r5, column=8).fill.fgColor.rgb.endswith("E9EDF2")


def test_spreadsheet_other_sheets(workbook, built):
    assert workbook.sheetnames == ["Perjanjian Kinerja", "Grafik", "Tren bulanan", "Komponen", "Karantina",
                                   "Asal-usul", "Run"]
    assert len(workbook["Grafik"]._images) == 3
    comp = workbook["Komponen"]
    header = [c.value for c in comp[4]]
    assert header == ["No", "Indikator", "Unit", "Periode", "Komponen", "Nilai", "Data s.d.", "Run", "Dihitung"]
    rows = [[c.value for c in r] for r in comp.iter_rows(min_row=5)]
    rolling = [r for r in rows if r[4] == "skm_rolling_12m" and r[2] == "ALL"]
    assert [r[3] for r in rolling] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    n_components = warehouse.query(built["engine"], "SELECT COUNT(*) AS n FROM indicator_component "
                                                    "WHERE pk_year = 2024")["n"].iloc[0]
    assert len(rows) == n_components
    # quarantine summary: counts by extract, check, landing month add up to the table
    q = workbook["Karantina"]
    qrows = [[c.value for c in r] for r in q.iter_rows(min_row=5)]
    total = warehouse.query(built["engine"], "SELECT COUNT(*) AS n FROM quarantine WHERE pk_year = 2024")["n"].iloc[0]
    assert sum(r[4] for r in qrows) == total
    assert q.cell(row=5, column=5).number_format == "[$-421]#,##0"
    # lineage: every agency-level result with its run, as-of month and computed-at
    lin = workbook["Asal-usul"]
    lrows = [[c.value for c in r] for r in lin.iter_rows(min_row=5)]
    n_results = warehouse.query(built["engine"], "SELECT COUNT(*) AS n FROM indicator_result "
                                                 "WHERE pk_year = 2024 AND unit_code = 'ALL'")["n"].iloc[0]
    assert len(lrows) == n_results
    q1 = next(r for r in lrows if r[0] == 3 and r[2] == "2024-Q1")
    assert q1[11] == "run-restatement" and q1[8] == "2024-03" and q1[9] == 4 and q1[12]


def test_spreadsheet_cells_cannot_run_as_formulas(workbook):
    q = workbook["Karantina"]
    cells = [c for r in q.iter_rows() for c in r if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    evil = [c.value for c in cells if "HYPERLINK" in c.value or "evil" in c.value]
    assert evil and all(v.startswith("'") for v in evil)


def test_number_format_codes():
    assert xlsx.number_format(2) == "[$-421]#,##0.00"
    assert xlsx.number_format(4) == "[$-421]#,##0.0000"
    assert xlsx.number_format(0) == "[$-421]#,##0"


# -- the page ----------------------------------------------------------------------------------------

class PageParser(HTMLParser):
    """Collects the scorecard rows (cell texts and classes), figures and SVG charts."""

    def __init__(self):
        super().__init__()
        self.rows: dict[int, list[tuple[str, str]]] = {}
        self.headers: list[str] = []
        self.figures: list[str] = []
        self.svgs = 0
        self.ids: list[str] = []
        self._in_table = self._row = self._cell = None
        self._text: list[str] = []
        self._in_th = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "table" and a.get("id") == "scorecard-table":
            self._in_table = True
        elif tag == "table":
            self._in_table = False
        if self._in_table and tag == "tr" and "data-indicator" in a:
            self._row = int(a["data-indicator"])
            self.rows[self._row] = []
        if self._in_table and tag == "th":
            self._in_th, self._text = True, []
        if self._in_table and tag == "td" and self._row is not None:
            self._cell, self._text = a.get("class", ""), []
        if tag == "figure":
            self.figures.append(a.get("data-chart", ""))
        if tag == "svg":
            self.svgs += 1

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self.rows[self._row].append((" ".join("".join(self._text).split()), self._cell))
            self._cell = None
        if tag == "th" and self._in_th:
            self.headers.append("".join(self._text).strip())
            self._in_th = False
        if tag == "tr":
            self._row = None
        if tag == "table":
            self._in_table = False

    def handle_data(self, d):
        if self._cell is not None or self._in_th:
            self._text.append(d)


@pytest.fixture(scope="module")
def page(built, loaded):
    out = built["tmp"] / "scorecard.html"
    report.write(loaded, "html", out)
    text = out.read_text(encoding="utf-8")
    parser = PageParser()
    parser.feed(text)
    return parser, text


def test_page_has_the_table_with_14_rows(page, catalog):
    parser, _ = page
    assert sorted(parser.rows) == list(range(1, 15))
    for label in ("No", "Sasaran", "Indikator Kinerja", "Satuan", "TW I", "TW II", "TW III", "TW IV", "Tahunan",
                  "Target", "Realisasi", "Capaian (%)"):
        assert label in parser.headers
    for no, cells in parser.rows.items():
        assert len(cells) == 4 + 3 * 5, no
        ind = catalog.indicators[no]
        assert cells[2][0].startswith(ind.name)
        targets = [cells[4 + 3 * k][0] for k in range(5)]
        expected = ["N/A" if ind.targets[k] is None else id_number(ind.targets[k], ind.decimals)
                    for k in ("Q1", "Q2", "Q3", "Q4", "year")]
        assert targets == expected, no


def test_page_numbers_are_indonesian_and_statuses_coloured(page, built):
    parser, _ = page
    _old, new = built["restated"]
    skm = parser.rows[3]
    # TW I: target, realisasi, capaian+status; e.g. 94,50 and capaian 100,53 (new / 94 x 100)
    assert skm[4][0] == "94,00"
    assert skm[5][0] == id_number(new, 2) and "," in skm[5][0]
    assert skm[6][0].startswith(id_number(new / 94 * 100, 2))
    status = current(built["engine"], 3, "2024-Q1")["status"]
    assert status in skm[6][0] and f"s-{status.replace(' ', '-')}" in skm[6][1]
    # TW II computed through April only: marked as partial
    assert "s.d. Apr" in skm[8][0]
    assert "s-tidak-ada-data" in parser.rows[4][6][1] and "tidak ada data" in parser.rows[4][6][0]
    assert "s-belum-dihitung" in parser.rows[1][6][1] and "belum dihitung" in parser.rows[1][6][0]


def test_page_has_the_three_charts_and_the_other_sections(page):
    parser, text = page
    assert sorted(parser.figures) == ["capaian", "sdi", "skm"]
    assert parser.svgs >= 3
    for section in ("scorecard", "grafik", "komponen", "karantina", "lineage", "run"):
        assert section in parser.ids
    assert "Indeks kepuasan layanan (SKM) per bulan, 2024" in text
    assert "Kualitas data SDI: empat aspek per bulan, 2024" in text
    assert "run-restatement" in text  # lineage of the restated number
    assert "<script" not in text  # a static page: nothing runs


# -- the charts ---------------------------------------------------------------------------------------

def test_skm_chart_plots_the_months_the_rolling_average_and_the_target(loaded, built, catalog):
    fig, title = charts.skm_figure(loaded)
    ax = fig.axes[0]
    monthly, rolling, target = ax.lines[0], ax.lines[1], ax.lines[2]
    expected = [current(built["engine"], 3, f"2024-{m:02d}")["value"] for m in range(1, 5)]
    assert list(monthly.get_ydata()[:4]) == pytest.approx(expected)
    assert all(math.isnan(v) for v in monthly.get_ydata()[4:])  # May-December: no data, no point
    # rolling 12 months over January-April = mean of the four monthly values
    assert rolling.get_ydata()[3] == pytest.approx(sum(expected) / 4)
    assert list(target.get_ydata()) == [94, 94]  # the year's target of SKM in the catalog
    assert ax.get_xlabel() == "Bulan (2024)" and ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()][:3] == ["Jan", "Feb", "Mar"]
    assert ax.yaxis.get_major_formatter()(92.5, 0) == "92,5"
    assert title == ax.get_title()


def test_capaian_chart_has_a_bar_per_indicator_quarter_with_capaian(loaded):
    fig, _ = charts.capaian_figure(loaded)
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    with_capaian = loaded.results[(loaded.results["period_type"] == "quarter")
                                  & loaded.results["capaian_pct"].notna()]
    assert len(bars) == len(with_capaian)
    assert len(ax.get_yticklabels()) == 14
    assert ax.get_xlabel().startswith("Capaian (%)")


def test_sdi_chart_has_the_four_aspects(loaded):
    fig, _ = charts.sdi_figure(loaded)
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["Ketepatan waktu", "Kelengkapan", "Keunikan", "Validitas"]
    comp = loaded.components
    jan = comp[(comp["indicator_no"] == 5) & (comp["unit_code"] == "ALL") & (comp["period"] == "2024-01")]
    timeliness = float(jan[jan["component"] == "ketepatan_waktu"]["value"].iloc[0])
    assert ax.lines[0].get_ydata()[0] == pytest.approx(timeliness)


# -- markdown and an empty warehouse --------------------------------------------------------------------

def test_markdown_report(built, loaded):
    out = built["tmp"] / "scorecard.md"
    report.write(loaded, "md", out)
    text = out.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and line.split("|")[1].strip().isdigit()]
    assert len({line.split("|")[1].strip() for line in rows if "belum dihitung" in line or "**" in line}) >= 14
    assert "319,53" in text and "Ringkasan karantina 2024" in text and "run-restatement" in text


def test_a_warehouse_without_results_still_reports(sqlite_engine, tmp_path):
    loaded = data.load(sqlite_engine, YEAR)
    for fmt in ("html", "xlsx", "md"):
        report.write(loaded, fmt, tmp_path / f"r.{fmt}")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert text.count("<span>belum dihitung</span></td>") == 14 * 5  # every period of every indicator
    assert "tidak ada data" in text  # the charts say so
    ws = load_workbook(tmp_path / "r.xlsx")["Perjanjian Kinerja"]
    assert [ws.cell(row=FIRST_DATA_ROW + i, column=1).value for i in range(14)] == list(range(1, 15))


# -- the command line -------------------------------------------------------------------------------------

def test_cli_writes_each_format(built, tmp_path, capsys):
    for fmt in ("xlsx", "html", "md"):
        out = tmp_path / f"pk.{fmt}"
        assert main(["report", "--year", "2024", "--format", fmt, "--out", str(out),
                     "--warehouse", built["url"]]) == 0
        assert out.stat().st_size > 0
    assert "wrote" in capsys.readouterr().out
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("argv, message", [
    (["--year", "2023", "--format", "html"], "no PK year 2023"),
    (["--year", "2024", "--format", "pdf"], None),
])
def test_cli_bad_usage_exits_2(built, tmp_path, capsys, argv, message):
    out = tmp_path / "x.html"
    assert main(["report", *argv, "--out", str(out), "--warehouse", built["url"]]) == 2
    if message:
        assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_missing_output_directory_exits_2(built, tmp_path, capsys):
    out = tmp_path / "nowhere" / "x.xlsx"
    assert main(["report", "--year", "2024", "--format", "xlsx", "--out", str(out), "--warehouse", built["url"]]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_missing_warehouse_exits_2_and_creates_nothing(tmp_path, capsys):
    db = tmp_path / "none.db"
    assert main(["report", "--year", "2024", "--format", "md", "--out", str(tmp_path / "x.md"),
                 "--warehouse", f"sqlite:///{db}"]) == 2
    assert "no warehouse" in capsys.readouterr().err
    assert not db.exists()


def test_cli_warehouse_without_tables_exits_2(tmp_path, capsys):
    db = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{db}").connect().close()
    assert db.exists()
    assert main(["report", "--year", "2024", "--format", "md", "--out", str(tmp_path / "x.md"),
                 "--warehouse", f"sqlite:///{db}"]) == 2
    assert "no Kinerja tables" in capsys.readouterr().err


def test_report_is_read_only(built, tmp_path):
    """A report only reads (it may run under a read-only analyst account): every statement is a SELECT."""
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lstrip().split()[0].upper())

    engine = built["engine"]
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        report.build(engine, YEAR, "md", tmp_path / "r.md")
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    # BEGIN: the warehouse engine opens every transaction itself (BEGIN IMMEDIATE on SQLite)
    assert "SELECT" in statements and set(statements) <= {"BEGIN", "SELECT", "WITH"}
