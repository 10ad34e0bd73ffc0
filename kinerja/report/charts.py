"""The report's charts, drawn with matplotlib (Agg backend, no network, no display).

Three charts, each rendered as inline SVG (for the page: sharp on screen and in print)
and as PNG (for the spreadsheet):

- the SKM monthly index with its 12-month rolling average and the year's target;
- capaian per indicator per quarter (TW I-IV), against the 100 % line;
- the four SDI aspects month by month.

Titles, axis labels and numbers are Indonesian (decimal comma). A chart with nothing
to draw still renders, with ``tidak ada data`` in it, so the page keeps its shape.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from kinerja.indicators.sdi import ASPECTS  # noqa: E402
from kinerja.report.data import NOT_COMPUTED, QUARTERS, ReportData, period_key  # noqa: E402
from kinerja.scorecard import id_number  # noqa: E402

SKM_CODE, SDI_CODE = "skm", "sdi"
SKM_ROLLING = "skm_rolling_12m"
MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
QUARTER_LABELS = ("TW I", "TW II", "TW III", "TW IV")
ASPECT_LABELS = {"ketepatan_waktu": "Ketepatan waktu", "kelengkapan": "Kelengkapan",
                 "keunikan": "Keunikan", "validitas": "Validitas"}

INK, MUTED, GRID = "#1f2933", "#616e7c", "#e4e7eb"
BLUE, ORANGE, RED = "#2b6cb0", "#dd6b20", "#c53030"
QUARTER_COLOURS = ("#a6c8e6", "#6fa3d2", "#3b7bbf", "#1c4f8c")
ASPECT_COLOURS = ("#2b6cb0", "#2f855a", "#b7791f", "#9f3a8a")

STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlepad": 10,
    "axes.labelsize": 9,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#9aa5b1",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "svg.fonttype": "path",
}


@dataclass
class Chart:
    key: str
    title: str
    description: str
    svg: str
    png: bytes


def _id_formatter(decimals: int) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: id_number(v, decimals))


def _months(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def _month_axis(ax, year: int) -> None:
    ax.set_xticks(range(12), MONTHS_ID)
    ax.set_xlim(-0.5, 11.5)
    ax.set_xlabel(f"Bulan ({year})")


def _no_data(ax, text: str = "tidak ada data") -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=MUTED, fontsize=11,
            style="italic")


def _clean(values) -> list[float]:
    return [float(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else math.nan
            for v in values]


def skm_figure(data: ReportData) -> tuple[Figure, str]:
    no = data.indicator_no(SKM_CODE)
    title = f"Indeks kepuasan layanan (SKM) per bulan, {data.year}"
    fig, ax = plt.subplots(figsize=(8.6, 3.6))
    months = _months(data.year)
    monthly = rolling = [math.nan] * 12
    target = None
    if no is not None:
        m = data.monthly(no).set_index("period")["value"].reindex(months)
        monthly = _clean(m.tolist())
        rolling = _clean(data.monthly_components(no, [SKM_ROLLING]).reindex(months)[SKM_ROLLING].tolist())
        target = data.target(no, "year")
    x = list(range(12))
    have = [v for v in monthly + rolling if not math.isnan(v)]
    if have:
        ax.plot(x, monthly, color=BLUE, marker="o", markersize=4.5, linewidth=1.6, label="Indeks bulanan")
        ax.plot(x, rolling, color=ORANGE, linewidth=2.6, label="Rata-rata 12 bulan (bergulir)")
        valid = [i for i, v in enumerate(rolling) if not math.isnan(v)]
        if valid:
            last = valid[-1]
            ax.annotate(id_number(rolling[last]), (last, rolling[last]), xytext=(6, -12),
                        textcoords="offset points", color=ORANGE, fontsize=8.5, fontweight="bold")
    else:
        _no_data(ax)
    if target is not None:
        ax.axhline(target, color=RED, linestyle=(0, (5, 3)), linewidth=1.4, label=f"Target ({id_number(target)})")
        have.append(target)
    if have:
        lo, hi = min(have), max(have)
        pad = max(1.0, (hi - lo) * 0.25)
        ax.set_ylim(max(0.0, lo - pad), min(100.0, hi + pad) if hi <= 100 else hi + pad)
    _month_axis(ax, data.year)
    ax.set_ylabel("Nilai indeks (0–100)")
    ax.yaxis.set_major_formatter(_id_formatter(1))
    ax.set_title(title)
    ax.legend(loc="lower left", ncols=3)
    fig.tight_layout()
    return fig, title


def capaian_figure(data: ReportData) -> tuple[Figure, str]:
    title = f"Capaian per indikator per triwulan, {data.year} (% dari target)"
    inds = data.indicators.sort_values("indicator_no")
    n = len(inds)
    fig, ax = plt.subplots(figsize=(8.6, max(3.0, 0.5 * n + 1.3)))
    height = 0.8 / len(QUARTERS)
    values: dict[tuple[int, int], float] = {}
    for i, no in enumerate(inds["indicator_no"]):
        for q, key in enumerate(QUARTERS):
            row = data.result(int(no), period_key(data.year, key))
            if row is not None and row["capaian_pct"] is not None and not math.isnan(row["capaian_pct"]):
                values[(i, q)] = float(row["capaian_pct"])
    top = max(values.values(), default=100.0)
    limit = max(120.0, min(top * 1.12, 200.0))
    for q in range(len(QUARTERS)):
        ys, xs = [], []
        for i in range(n):
            if (i, q) in values:
                ys.append(i + (q - 1.5) * height)
                xs.append(min(values[(i, q)], limit))
        ax.barh(ys, xs, height=height * 0.92, color=QUARTER_COLOURS[q], label=QUARTER_LABELS[q])
        for y, (i, qq) in zip(ys, [k for k in sorted(values) if k[1] == q], strict=True):
            v = values[(i, qq)]
            ax.text(min(v, limit) + limit * 0.006, y, id_number(v, 1) + ("▸" if v > limit else ""),
                    va="center", ha="left", fontsize=6.5, color=MUTED)
    for i, no in enumerate(inds["indicator_no"]):
        if not any((i, q) in values for q in range(len(QUARTERS))):
            statuses = {data.status(int(no), period_key(data.year, k)) for k in QUARTERS}
            if statuses == {NOT_COMPUTED}:
                why = NOT_COMPUTED
            elif "tidak ada data" in statuses:
                why = "tidak ada data"
            else:
                why = "tanpa target triwulanan"
            ax.text(limit * 0.01, i, why, va="center", ha="left", fontsize=7.5, color=MUTED, style="italic")
    ax.axvline(100, color=RED, linestyle=(0, (5, 3)), linewidth=1.3, label="100 % = target")
    labels = [textwrap.fill(f"{no}. {name}", 38)
              for no, name in zip(inds["indicator_no"], inds["short_name"], strict=True)]
    ax.set_yticks(range(n), labels, fontsize=7.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, limit * 1.08)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(_id_formatter(0))
    ax.set_xlabel("Capaian (%): realisasi / target × 100")
    ax.set_title(title)
    height = fig.get_figheight()
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncols=5, fontsize=8)
    fig.tight_layout(rect=(0, 0.4 / height, 1, 1))
    return fig, title


def sdi_figure(data: ReportData) -> tuple[Figure, str]:
    no = data.indicator_no(SDI_CODE)
    title = f"Kualitas data SDI: empat aspek per bulan, {data.year}"
    fig, ax = plt.subplots(figsize=(8.6, 3.6))
    months = _months(data.year)
    drew = False
    if no is not None:
        wide = data.monthly_components(no, ASPECTS).reindex(months)
        for aspect, colour, marker in zip(ASPECTS, ASPECT_COLOURS, "osD^", strict=True):
            ys = _clean(wide[aspect].tolist())
            if any(not math.isnan(v) for v in ys):
                drew = True
            ax.plot(range(12), ys, color=colour, marker=marker, markersize=4, linewidth=1.6,
                    label=ASPECT_LABELS.get(aspect, aspect))
    if not drew:
        _no_data(ax)
    _month_axis(ax, data.year)
    ax.set_ylim(-0.03, 1.08)
    ax.set_ylabel("Rasio dataset memenuhi (0–1)")
    ax.yaxis.set_major_formatter(_id_formatter(2))
    ax.set_title(title)
    ax.legend(loc="lower left", ncols=4)
    fig.tight_layout()
    return fig, title


DESCRIPTIONS = {
    "skm": "Indeks kepuasan bulanan (tingkat BKD, unit ALL), rata-rata bergulir 12 bulan "
           "(komponen skm_rolling_12m) dan garis target tahunan.",
    "capaian": "Capaian triwulanan setiap indikator (realisasi / target × 100). Triwulan tanpa target "
               "atau tanpa data tidak bergambar batang.",
    "sdi": "Rasio dataset yang tepat waktu, lengkap, unik dan tervalidasi di antara dataset yang jatuh "
           "tempo pada bulan itu (komponen indikator SDI).",
}
BUILDERS = (("skm", skm_figure), ("capaian", capaian_figure), ("sdi", sdi_figure))


def _render(fig: Figure, key: str) -> tuple[str, bytes]:
    svg_buf, png_buf = io.StringIO(), io.BytesIO()
    # a salt per chart keeps the SVG ids of the charts of one page apart, and the output reproducible
    with plt.rc_context({"svg.hashsalt": f"kinerja-{key}"}):
        fig.savefig(svg_buf, format="svg", metadata={"Date": None})
    fig.savefig(png_buf, format="png", dpi=150, metadata={"Software": None})
    plt.close(fig)
    svg = svg_buf.getvalue()
    return svg[svg.index("<svg"):], png_buf.getvalue()


def build(data: ReportData) -> list[Chart]:
    charts = []
    with plt.rc_context(STYLE):
        for key, builder in BUILDERS:
            fig, title = builder(data)
            svg, png = _render(fig, key)
            charts.append(Chart(key, title, DESCRIPTIONS[key], svg, png))
    return charts
