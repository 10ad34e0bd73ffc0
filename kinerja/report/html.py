"""The scorecard as one self-contained HTML page: the agreement's table, charts (inline SVG),
components, the quarantine summary and the lineage of every number. Printable (A4 landscape)."""

from __future__ import annotations

from html import escape

from kinerja.report import charts as charts_mod
from kinerja.report.data import NOT_COMPUTED, PERIODS, Cell, ReportData, Row, table_rows
from kinerja.report.fmt import (
    STATUS_ORDER,
    component_pivot,
    component_value,
    month_label,
    short_run,
)
from kinerja.scorecard import id_number

CSS = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9dee4; --head:#16324f; --band:#f4f6f8;
  --ok:#d8f0df; --ok-ink:#1d6b35; --bad:#fbdada; --bad-ink:#a01c1c; --na:#e9edf2; --na-ink:#4a5563;
  --nodata:#fff0c7; --nodata-ink:#8a5a00; --none:#ffffff; --none-ink:#8f99a3; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; padding: 28px 32px 40px; font: 13px/1.45 "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  color: var(--ink); background: #fff; }
header { border-bottom: 3px solid var(--head); padding-bottom: 14px; margin-bottom: 18px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--muted); }
h1 { font-size: 24px; margin: 2px 0 8px; color: var(--head); }
h2 { font-size: 17px; color: var(--head); margin: 26px 0 6px; padding-bottom: 4px;
  border-bottom: 1px solid var(--line); }
p.lead { margin: 2px 0 10px; color: var(--muted); max-width: 1100px; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; font-size: 12px; }
.meta div { display: flex; gap: 6px; } .meta dt { color: var(--muted); } .meta dd { margin: 0; font-weight: 600; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
.tile { border-radius: 6px; padding: 8px 14px; min-width: 120px; border: 1px solid rgba(0,0,0,.06); }
.tile b { display: block; font-size: 22px; line-height: 1.1; }
.tile span { font-size: 11.5px; }
.tile-label { align-self: center; color: var(--muted); font-size: 12px; margin-right: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 6px; vertical-align: top; }
thead th { background: var(--head); color: #fff; font-weight: 600; font-size: 11.5px; text-align: center;
  vertical-align: middle; }
thead tr.sub th { background: #2c4c6e; font-size: 10.5px; font-weight: 500; }
table.pk { font-size: 11.5px; }
table.pk td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.pk td.no { text-align: center; font-weight: 600; }
table.pk td.sasaran { width: 150px; color: var(--muted); font-size: 10.5px; }
table.pk td.ind { width: 250px; }
table.pk td.ind small { display: block; color: var(--muted); font-size: 10px; margin-top: 2px; }
table.pk td.sat { text-align: center; font-size: 10.5px; }
table.pk td.cap { text-align: right; white-space: nowrap; min-width: 78px; }
table.pk td.cap b { display: block; font-weight: 600; }
table.pk td.cap span { display: block; font-size: 9.5px; }
table.pk td.target { color: var(--muted); }
table.pk tr.group td { background: var(--band); font-weight: 700; color: var(--head); font-size: 11px;
  text-transform: uppercase; letter-spacing: .05em; }
table.pk th.period { border-left: 2px solid #fff; }
table.pk td.first { border-left: 2px solid #b5c0cc; }
td.s-tercapai { background: var(--ok); color: var(--ok-ink); }
td.s-tidak-tercapai { background: var(--bad); color: var(--bad-ink); }
td.s-tanpa-target { background: var(--na); color: var(--na-ink); }
td.s-tidak-ada-data { background: var(--nodata); color: var(--nodata-ink); }
td.s-belum-dihitung { background: var(--none); color: var(--none-ink); font-style: italic; }
small.partial { display: block; color: var(--muted); font-size: 9.5px; font-style: italic; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 4px 0 10px; font-size: 11.5px; }
.legend span.sw { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: -3px;
  margin-right: 5px; border: 1px solid rgba(0,0,0,.1); }
.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 14px 22px; }
figure { margin: 0; break-inside: avoid; }
figure.wide { grid-row: span 2; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 11px; color: var(--muted); margin-top: 2px; }
table.plain { font-size: 11px; margin-top: 6px; }
table.plain th { background: var(--head); color: #fff; font-weight: 600; text-align: left; }
table.plain td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.plain:not(.grouped) tbody tr:nth-child(even) td { background: #fafbfc; }
table.plain tfoot td { background: var(--band); }
table.plain td.mono, span.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 10px; }
.cols { display: grid; grid-template-columns: 3fr 2fr; gap: 0 26px; align-items: start; }
.nw { white-space: nowrap; }
td.lin { font-size: 10px; white-space: nowrap; }
td.lin span { display: block; color: var(--muted); }
td.lin.none { color: var(--none-ink); font-style: italic; }
#karantina table.plain { font-size: 10px; }
.empty { color: var(--muted); font-style: italic; }
footer { margin-top: 28px; font-size: 10.5px; color: var(--muted); border-top: 1px solid var(--line);
  padding-top: 8px; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { padding: 0; font-size: 10px; }
  table.pk { font-size: 8.5px; } table.pk td.sasaran, table.pk td.ind small { font-size: 8px; }
  h2 { break-after: avoid; } section { break-inside: auto; } tr { break-inside: avoid; }
  .charts { grid-template-columns: 1fr 1fr; }
}
"""

def _cls(status: str) -> str:
    return "s-" + status.replace(" ", "-")


def _e(value) -> str:
    return escape("" if value is None else str(value))


def _ts(value) -> str:
    """An ISO timestamp as people read it: ``2024-12-06 02:15:09+00:00``."""
    return "" if value is None else str(value).replace("T", " ")


def _target(cell: Cell, d: int) -> str:
    return "N/A" if cell.target is None else id_number(cell.target, d)


def _cells(row: Row, key: str) -> str:
    c = row.cells[key]
    d = row.decimals
    title = f' title="{_e(c.lineage())}"' if c.run_id else ""
    cls = _cls(c.status)
    partial = (f'<small class="partial">s.d. {_e(month_label(c.as_of_month, short=True))}</small>'
               if c.partial and c.value is not None else "")
    value = id_number(c.value, d) if c.value is not None else "–"
    cap = id_number(c.capaian, 2) if c.capaian is not None else "–"
    return (f'<td class="num target first">{_target(c, d)}</td>'
            f'<td class="num {cls}"{title}>{value}{partial}</td>'
            f'<td class="cap {cls}"{title}><b>{cap}</b><span>{_e(c.status)}</span></td>')


def scorecard_table(rows: list[Row]) -> str:
    head1 = ('<tr><th rowspan="2">No</th><th rowspan="2">Sasaran</th><th rowspan="2">Indikator Kinerja</th>'
             '<th rowspan="2">Satuan</th>'
             + "".join(f'<th colspan="3" class="period">{label}</th>' for _, label in PERIODS) + "</tr>")
    head2 = '<tr class="sub">' + "<th>Target</th><th>Realisasi</th><th>Capaian (%)</th>" * len(PERIODS) + "</tr>"
    body, level = [], None
    width = 4 + 3 * len(PERIODS)
    for row in rows:
        if row.level != level:
            level = row.level
            body.append(f'<tr class="group"><td colspan="{width}">{_e(level)}</td></tr>')
        cat = f"<small>Kategori tahunan: {_e(row.category)}</small>" if row.category else ""
        body.append(
            f'<tr data-indicator="{row.no}"><td class="no">{row.no}</td><td class="sasaran">{_e(row.sasaran)}</td>'
            f'<td class="ind">{_e(row.name)}{cat}</td><td class="sat">{_e(row.unit_of_measure)}</td>'
            + "".join(_cells(row, key) for key, _ in PERIODS) + "</tr>")
    return (f'<table class="pk" id="scorecard-table"><thead>{head1}{head2}</thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def legend() -> str:
    items = "".join(f'<span><span class="sw" style="background:var(--{var})"></span>{_e(label)}</span>'
                    for label, var in (("tercapai", "ok"), ("tidak tercapai", "bad"), ("tanpa target", "na"),
                                       ("tidak ada data", "nodata"), (NOT_COMPUTED, "none")))
    return (f'<div class="legend">{items}<span>· <i>s.d. Bln</i> = triwulan/tahun berjalan, dihitung sampai '
            f'bulan itu · N/A = tanpa target dalam perjanjian · arahkan kursor ke angka untuk asal-usulnya</span>'
            f'</div>')


def tiles(rows: list[Row]) -> str:
    counts = {s: 0 for s in STATUS_ORDER}
    for row in rows:
        counts[row.cells["year"].status] = counts.get(row.cells["year"].status, 0) + 1
    out = ['<div class="tiles"><span class="tile-label">Status tahunan:</span>']
    for status in STATUS_ORDER:
        out.append(f'<div class="tile {_cls(status)}" style="background:var(--{_tile_var(status)})">'
                   f'<b>{counts[status]}</b><span>{_e(status)}</span></div>')
    out.append("</div>")
    return "".join(out)


def _tile_var(status: str) -> str:
    return {"tercapai": "ok", "tidak tercapai": "bad", "tanpa target": "na", "tidak ada data": "nodata"}.get(
        status, "band")


def charts_section(charts: list[charts_mod.Chart]) -> str:
    figs = []
    for ch in charts:
        wide = ' class="wide"' if ch.key == "capaian" else ""
        figs.append(f'<figure id="chart-{ch.key}" data-chart="{ch.key}"{wide}>'
                    f'<div role="img" aria-label="{_e(ch.title)}">{ch.svg}</div>'
                    f'<figcaption><b>{_e(ch.title)}.</b> {_e(ch.description)}</figcaption></figure>')
    # the tall capaian chart on the left, the two monthly charts stacked on the right
    order = sorted(figs, key=lambda f: 0 if 'data-chart="capaian"' in f else 1)
    return f'<div class="charts">{"".join(order)}</div>'


def components_table(data: ReportData) -> str:
    pivot = component_pivot(data)
    if not pivot:
        return '<p class="empty">Belum ada komponen yang dihitung.</p>'
    head = ("<tr><th>No</th><th>Indikator</th><th>Komponen</th>"
            + "".join(f"<th>{label}</th>" for _, label in PERIODS) + "</tr>")
    body = []
    spans: dict[int, int] = {}
    for item in pivot:
        spans[item["indicator_no"]] = spans.get(item["indicator_no"], 0) + 1
    seen: set[int] = set()
    for item in pivot:
        no = item["indicator_no"]
        lead = ""
        if no not in seen:
            seen.add(no)
            lead = (f'<td class="num" rowspan="{spans[no]}">{no}</td>'
                    f'<td rowspan="{spans[no]}">{_e(item["indicator"])}</td>')
        cells = "".join(f'<td class="num">{component_value(item["values"].get(key), item["component"])}</td>'
                        for key, _ in PERIODS)
        body.append(f'<tr>{lead}<td class="mono">{_e(item["component"])}</td>{cells}</tr>')
    return (f'<table class="plain grouped" id="components-table"><thead>{head}</thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def quarantine_table(data: ReportData) -> str:
    """Counts by extract and check (rows) and landing month (columns), with totals."""
    q = data.quarantine
    if q.empty:
        return '<p class="empty">Tidak ada baris yang dikarantina pada tahun ini.</p>'
    months = [f"{data.year}-{m:02d}" for m in range(1, 13)]
    q = q.assign(extract_id=q["source"] + "/" + q["extract"])
    grid = q.pivot_table(index=["extract_id", "check_name"], columns="landing_month", values="rows_quarantined",
                         aggfunc="sum", fill_value=0)
    other = [m for m in grid.columns if m not in months]  # a landing month outside the year (a late file)
    cols = months + sorted(other)
    grid = grid.reindex(columns=cols, fill_value=0)
    reasons = q.groupby(["extract_id", "check_name"])["example_reason"].min()
    head = ("<tr><th>Ekstrak</th><th>Pemeriksaan</th>"
            + "".join(f"<th>{_e(month_label(m, short=True) if m in months else m)}</th>" for m in cols)
            + "<th>Jumlah</th></tr>")
    body = []
    for (extract_id, check), counts in grid.iterrows():
        cells = "".join(f'<td class="num">{id_number(v, 0) if v else ""}</td>' for v in counts)
        body.append(f'<tr><td class="mono">{_e(extract_id)}</td>'
                    f'<td class="mono" title="{_e(reasons.get((extract_id, check)))}">{_e(check)}</td>{cells}'
                    f'<td class="num"><b>{id_number(int(counts.sum()), 0)}</b></td></tr>')
    totals = "".join(f'<td class="num"><b>{id_number(int(v), 0) if v else ""}</b></td>' for v in grid.sum())
    return (f'<table class="plain" id="quarantine-table"><thead>{head}</thead><tbody>{"".join(body)}</tbody>'
            f'<tfoot><tr><td colspan="2"><b>Jumlah</b></td>{totals}'
            f'<td class="num"><b>{id_number(int(grid.to_numpy().sum()), 0)}</b></td></tr></tfoot></table>')


def lineage_table(rows: list[Row]) -> str:
    """Where every number of the table comes from: one row per indicator, one cell per period with
    the as-of month, the revision, the run and the time it was computed."""
    body = []
    for row in rows:
        cells = []
        for key, _label in PERIODS:
            c = row.cells[key]
            if c.run_id is None:
                cells.append(f'<td class="lin none">{NOT_COMPUTED}</td>')
                continue
            cells.append(f'<td class="lin" title="{_e(c.lineage())}">'
                         f'<b>{id_number(c.value, row.decimals)}</b> · s.d. {_e(c.as_of_month)} · rev {c.revision}'
                         f'<span class="mono">run {_e(short_run(c.run_id))}</span>'
                         f'<span class="mono">{_e(_ts(c.computed_at))}</span></td>')
        body.append(f'<tr><td class="num">{row.no}</td><td>{_e(row.short_name)}</td>{"".join(cells)}</tr>')
    head = "".join(f"<th>{label}</th>" for _, label in PERIODS)
    return ('<table class="plain" id="lineage-table"><thead><tr><th>No</th><th>Indikator</th>'
            f'{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def runs_table(data: ReportData) -> str:
    if data.runs.empty:
        return '<p class="empty">Belum ada run.</p>'
    body = [f'<tr><td class="nw">{_e(r.period)}</td>'
            f'<td class="mono" title="{_e(r.run_id)}">{_e(short_run(r.run_id))}</td>'
            f'<td>{_e(r.status)}</td><td class="mono nw">{_e(_ts(r.started_at))}</td>'
            f'<td class="num">{id_number(r.rows_in, 0)}</td><td class="num">{id_number(r.rows_quarantined, 0)}</td>'
            f'</tr>' for r in data.runs.itertuples(index=False)]
    return ('<table class="plain" id="runs-table"><thead><tr><th>Bulan</th><th>Run</th><th>Status</th>'
            '<th>Mulai</th><th>Baris masuk</th><th>Dikarantina</th></tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>')


def render(data: ReportData, charts: list[charts_mod.Chart] | None = None) -> str:
    rows = table_rows(data)
    charts = charts if charts is not None else charts_mod.build(data)
    run = data.latest_run()
    as_of = data.as_of()
    as_of_text = f"{month_label(as_of)} ({as_of})" if as_of else "belum ada data"
    run_text = f'{_e(short_run(run["run_id"]))} · {_e(run["period"])} · {_e(run["status"])}' if run else "–"
    agency = _e(data.agency or "")
    return f"""<!DOCTYPE html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Capaian Perjanjian Kinerja {data.year}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<div class="eyebrow">{agency}</div>
<h1>Capaian Perjanjian Kinerja {data.year}</h1>
<dl class="meta">
<div><dt>Data sampai dengan</dt><dd>{_e(as_of_text)}</dd></div>
<div><dt>Run terakhir</dt><dd>{run_text}</dd></div>
<div><dt>Laporan dibuat</dt><dd>{_e(data.generated_at)}</dd></div>
</dl>
{tiles(rows)}
</header>
<main>
<section id="scorecard">
<h2>Tabel Perjanjian Kinerja</h2>
<p class="lead">Target, realisasi dan capaian (realisasi / target × 100) per triwulan (TW) dan tahunan,
tingkat badan (unit ALL). Warna menandai status.</p>
{legend()}
{scorecard_table(rows)}
</section>
<section id="grafik">
<h2>Grafik</h2>
{charts_section(charts)}
</section>
<section id="komponen">
<h2>Komponen indikator</h2>
<p class="lead">Ukuran penyusun setiap indikator, tingkat badan (unit ALL), per triwulan dan tahunan.
Rincian per unit dan per bulan ada di lembar kerja (xlsx) dan di tabel
<span class="mono">indicator_component</span>.</p>
{components_table(data)}
</section>
<section id="lineage">
<h2>Asal-usul angka</h2>
<p class="lead">Setiap angka tabel: realisasi, bulan terakhir datanya (s.d.), revisi, run yang menghitungnya dan
waktu hitung. Riwayat semua nilai ada di tabel <span class="mono">indicator_result_history</span>, koreksi di
<span class="mono">v_restatement</span>.</p>
{lineage_table(rows)}
</section>
<div class="cols">
<section id="karantina">
<h2>Ringkasan karantina {data.year}</h2>
<p class="lead">Baris sumber yang ditolak validasi pada run terakhir tiap file, per ekstrak dan pemeriksaan
(baris) dan bulan landing (kolom). Arahkan kursor ke nama pemeriksaan untuk contoh alasannya; rincian per
baris ada di tabel
<span class="mono">quarantine</span>.</p>
{quarantine_table(data)}
</section>
<section id="run">
<h2>Run pipeline {data.year}</h2>
<p class="lead">Setiap run, terbaru di atas.</p>
{runs_table(data)}
</section>
</div>
</main>
<footer>Sumber: gudang data Kinerja (tabel indicator_result, indicator_component, quarantine, pipeline_run;
tampilan v_scorecard). Angka disimpan dengan presisi penuh dan dibulatkan hanya saat ditampilkan.</footer>
</body>
</html>
"""
