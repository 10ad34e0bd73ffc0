"""The scorecard as Markdown (for a wiki, a pull request or the Prefect UI): the agreement's
table, components, quarantine summary and lineage. No charts: the page and the spreadsheet have them."""

from __future__ import annotations

import html

from kinerja.report.data import PERIODS, ReportData, table_rows
from kinerja.report.fmt import component_pivot, component_value, month_label
from kinerja.scorecard import id_number

# markdown's punctuation that can start emphasis, code, a link, strikethrough or end a table cell
_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_[]|~"})


def _esc(text) -> str:
    """Text from the warehouse (names; reasons quoting a landing file) as plain text in a table cell:
    one line, HTML escaped (``<script>`` shows as text) and markdown escaped (no link, emphasis or code)."""
    if text is None:
        return ""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return html.escape(line.translate(_MARKDOWN), quote=False)


def render(data: ReportData) -> str:
    rows = table_rows(data)
    as_of = data.as_of()
    run = data.latest_run()
    out = [f"# Capaian Perjanjian Kinerja {data.year}", ""]
    if data.agency:
        out += [data.agency, ""]
    out += [f"- Data sampai dengan: {month_label(as_of)} ({as_of})" if as_of else "- Data: belum ada",
            f"- Run terakhir: `{run['run_id']}` ({run['period']}, {run['status']})" if run else "- Run: belum ada",
            f"- Laporan dibuat: {data.generated_at}", "",
            "## Tabel Perjanjian Kinerja", "",
            "Per periode: target / realisasi / capaian (%) / status. N/A = tanpa target.", ""]
    head = "| No | Sasaran | Indikator Kinerja | Satuan | " + " | ".join(label for _, label in PERIODS) + \
        " | Kategori |"
    out += [head, "|---:|---|---|---|" + "---|" * len(PERIODS) + "---|"]
    for row in rows:
        cells = []
        for key, _ in PERIODS:
            c = row.cells[key]
            target = "N/A" if c.target is None else id_number(c.target, row.decimals)
            partial = f" (s.d. {c.as_of_month})" if c.partial else ""
            cells.append(f"{target} / {id_number(c.value, row.decimals)}{partial} / {id_number(c.capaian, 2)} / "
                         f"**{c.status}**")
        out.append(f"| {row.no} | {_esc(row.sasaran)} | {_esc(row.name)} | {_esc(row.unit_of_measure)} | "
                   + " | ".join(cells) + f" | {_esc(row.category or '')} |")
    out += ["", "## Komponen indikator (unit ALL)", ""]
    pivot = component_pivot(data)
    if pivot:
        out += ["| No | Indikator | Komponen | " + " | ".join(label for _, label in PERIODS) + " |",
                "|---:|---|---|" + "---:|" * len(PERIODS)]
        for item in pivot:
            out.append(f"| {item['indicator_no']} | {_esc(item['indicator'])} | `{item['component']}` | "
                       + " | ".join(component_value(item["values"].get(k), item["component"]) for k, _ in PERIODS)
                       + " |")
    else:
        out.append("Belum ada komponen yang dihitung.")
    out += ["", f"## Ringkasan karantina {data.year}", ""]
    if len(data.quarantine):
        out += ["| Ekstrak | Pemeriksaan | Bulan landing | Baris | Contoh alasan |", "|---|---|---|---:|---|"]
        for r in data.quarantine.itertuples(index=False):
            out.append(f"| {_esc(f'{r.source}/{r.extract}')} | {_esc(r.check_name)} | {_esc(r.landing_month)} | "
                       f"{id_number(r.rows_quarantined, 0)} | {_esc(r.example_reason)} |")
    else:
        out.append("Tidak ada baris yang dikarantina pada tahun ini.")
    out += ["", "## Asal-usul angka", "", "| No | Periode | Realisasi | Data s.d. | Revisi | Run | Dihitung |",
            "|---:|---|---:|---|---:|---|---|"]
    for row in rows:
        for key, label in PERIODS:
            c = row.cells[key]
            if c.run_id:
                out.append(f"| {row.no} | {label} | {id_number(c.value, row.decimals)} | {c.as_of_month} | "
                           f"{c.revision} | `{c.run_id}` | {c.computed_at} |")
    return "\n".join(out) + "\n"
