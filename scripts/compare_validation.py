"""Dump what validation makes of a demo year, to show that a change to it keeps the quarantine identical.

    python scripts/compare_validation.py OUT.tsv [--landing DIR] [--scale 0.1] [--seed 2024]
                                         [--defect-rate 0.01] [--months 1-12] [--against BEFORE.tsv]

Writes the demo landing files into ``--landing`` when it holds none yet (only the months
asked for; a high defect rate makes every check fail somewhere), then reads and validates
every extract the pipeline needs, month by month, and writes to ``OUT.tsv``, per extract and
month: the counts (read, staged, quarantined), a hash of the staged rows, and every
quarantine row, sorted. ``--against`` compares the dump
with an earlier one and exits 1 when they differ. The CPU seconds spent in validation
(reading excluded) are printed per extract.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import pandas as pd

os.environ.setdefault("KINERJA_PSEUDONYM_KEY", "compare-validation-pseudonym-key")

from kinerja import demo, ingestion, pipeline  # noqa: E402
from kinerja.catalog import load_catalog  # noqa: E402
from kinerja.periods import Month  # noqa: E402

YEAR = 2024


def months(spec: str) -> list[Month]:
    first, _, last = spec.partition("-")
    return [Month(YEAR, m) for m in range(int(first), int(last or first) + 1)]


def write_demo(landing: Path, scale: float, seed: int, defect_rate: float, wanted: list[Month]) -> None:
    ctx = demo.DemoContext(YEAR, seed=seed, scale=scale, defect_rate=defect_rate)
    for module in demo.generators():
        for item in module.generate(ctx):
            if item.month in wanted:
                demo.write_landing(landing, item)


def staged_hash(staged: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(staged, index=False).to_numpy().tobytes()).hexdigest()[:16]


def dump(landing: Path, wanted: list[Month]) -> tuple[list[str], int, dict[str, float]]:
    catalog = load_catalog(YEAR)
    lines: list[str] = []
    quarantined = 0
    seconds: dict[str, float] = {}
    for ext in pipeline.needed_extracts(catalog):
        for month in wanted:
            try:
                raw = ingestion.extract(landing, ext, month)
            except Exception as exc:  # a missing or unreadable file: recorded as such
                lines.append(f"{ext.id}\t{month}\tfile error\t{type(exc).__name__}: {exc}")
                continue
            start = time.process_time()
            try:
                validated = ingestion.validate_extract(raw, ext, catalog, month)
            except Exception as exc:
                lines.append(f"{ext.id}\t{month}\tvalidation error\t{type(exc).__name__}: {exc}")
                continue
            finally:
                seconds[ext.id] = seconds.get(ext.id, 0.0) + time.process_time() - start
            lines.append(f"{ext.id}\t{month}\tread={validated.rows_read} staged={validated.rows_staged} "
                         f"quarantined={validated.rows_quarantined} blanks={sorted(validated.blank_counts.items())} "
                         f"staged_hash={staged_hash(validated.staged)}")
            q = validated.quarantine.astype("string").fillna("<NA>")
            rows = sorted("\t".join(r) for r in q.itertuples(index=False, name=None))
            lines += [f"{ext.id}\t{month}\tquarantine\t{r}" for r in rows]
            quarantined += len(rows)
    return lines, quarantined, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--landing", type=Path, default=Path("build/compare-validation"))
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--defect-rate", type=float, default=0.01)
    parser.add_argument("--months", default="1-12", help="e.g. 1-12, or 6 for June only")
    parser.add_argument("--against", type=Path, help="an earlier dump to compare with")
    args = parser.parse_args()
    wanted = months(args.months)
    if not args.landing.exists() or not any(args.landing.iterdir()):
        args.landing.mkdir(parents=True, exist_ok=True)
        write_demo(args.landing, args.scale, args.seed, args.defect_rate, wanted)
    lines, quarantined, seconds = dump(args.landing, wanted)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for ext_id, s in sorted(seconds.items(), key=lambda kv: -kv[1]):
        print(f"{ext_id:36} {s:7.3f} s")
    print(f"{'validation, all extracts':36} {sum(seconds.values()):7.3f} s CPU")
    print(f"{quarantined} quarantine rows written to {args.out}")
    if args.against is None:
        return 0
    before = args.against.read_text(encoding="utf-8").splitlines()
    if before == lines:
        print(f"identical to {args.against}")
        return 0
    changed = sorted(set(before) ^ set(lines))
    print(f"DIFFERENT from {args.against}: {len(changed)} lines differ, e.g.:")
    for line in changed[:20]:
        print(("- " if line in before else "+ ") + line)
    return 1


if __name__ == "__main__":
    sys.exit(main())
