"""Compare what two warehouses hold of a PK year: results, components, quarantine, action-plan status.

Used to show that a change of the code (a redesign) leaves the numbers alone: build the demo year
with the old code and with the new, then

    python scripts/compare_warehouses.py sqlite:///old.db sqlite:///new.db --year 2024

Columns that name a run or a time (``run_id``, ``computed_at``, ``quarantined_at``) differ by
nature and are left out. Exit status 0 when every table is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd
import sqlalchemy as sa

TABLES = ["indicator_result", "indicator_component", "quarantine", "action_plan_status"]
VOLATILE = {"run_id", "computed_at", "quarantined_at"}


def dump(url: str, year: int) -> dict[str, pd.DataFrame]:
    engine = sa.create_engine(url)
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            df = pd.read_sql(sa.text(f"SELECT * FROM {table} WHERE pk_year = :y"), conn, params={"y": year})
            df = df.drop(columns=[c for c in df.columns if c in VOLATILE]).astype(str)
            out[table] = df.sort_values(list(df.columns)).reset_index(drop=True)
    engine.dispose()
    return out


def differences(old: dict[str, pd.DataFrame], new: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Table -> what differs, for the tables that are not identical."""
    diff = {}
    for table in TABLES:
        a, b = old[table], new[table]
        if list(a.columns) != list(b.columns):
            diff[table] = f"columns {list(a.columns)} != {list(b.columns)}"
        elif not a.equals(b):
            both = a.merge(b, how="outer", indicator=True)
            diff[table] = (f"{len(a)} vs {len(b)} rows; {int((both['_merge'] == 'left_only').sum())} only in the "
                           f"first, {int((both['_merge'] == 'right_only').sum())} only in the second")
    return diff


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="SQLAlchemy URL of the first warehouse")
    parser.add_argument("second", help="SQLAlchemy URL of the second warehouse")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args(argv)
    old, new = dump(args.first, args.year), dump(args.second, args.year)
    for table in TABLES:
        print(f"{table}: {len(old[table])} rows / {len(new[table])} rows")
    diff = differences(old, new)
    for table, what in diff.items():
        print(f"DIFFERENT {table}: {what}")
    print("identical" if not diff else f"{len(diff)} table(s) differ")
    return 0 if not diff else 1


if __name__ == "__main__":
    sys.exit(main())
