"""Staged rows in memory and as stored: the values a staging write binds, the typed frame a read
builds from stored values, and the order staged rows are kept in."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kinerja.extracts import Extract

# The order of staged rows in memory, however they were read: landing month, then row of its file, then
# natural key (a total order: a re-sent file can leave an older row of the same month and row number).
# A month's new rows then follow the year's older ones, so they are appended without a sort.
STAGED_ORDER = ("_landing_month", "_row_number")
META = {"_landing_month": "meta_text", "_file": "meta_text", "_row_number": "meta_int", "_run_id": "meta_text"}


def staged_columns(extract: Extract) -> list[tuple[str, str]]:
    """(staged name, kind) of every stored column, meta columns last, in the staging DDL's order."""
    return [(c.staged_name, c.kind) for c in extract.columns] + list(META.items())


def _objects(s: pd.Series) -> list:
    """Python values with None for missing: what the DBAPI drivers bind."""
    return s.to_numpy(dtype=object, na_value=None).tolist()


def _offset_text(seconds: float) -> str | None:
    """A UTC offset as ``Timestamp.isoformat()`` writes it: ``+07:00`` (``+07:07:12`` with seconds)."""
    if pd.isna(seconds):
        return None
    sign, rest = ("-" if seconds < 0 else "+"), abs(int(seconds))
    text = f"{sign}{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text + (f":{rest % 60:02d}" if rest % 60 else "")


def iso_datetime(s: pd.Series) -> pd.Series:
    """Aware timestamps as ``Timestamp.isoformat()`` writes them (microseconds only when set).
    Formatted from the naive local time plus the few distinct offsets: pandas formats ``%z`` one
    value at a time."""
    local = s.dt.tz_localize(None)
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S")
    micro = s.dt.microsecond.fillna(0).astype("int64")
    frac = pd.Series([f".{m:06d}" if m else "" for m in micro], index=s.index) if micro.any() else ""
    seconds = (local - s.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    offset = seconds.map({v: _offset_text(v) for v in seconds.unique()}).astype("str")
    return text + frac + offset


def storage_values(df: pd.DataFrame, columns: list[tuple[str, str]]) -> list[list]:
    """Column-wise Python values as SQLite stores them: dates ISO text, datetimes ISO with offset,
    bools 0/1, missing as None."""
    out = []
    for name, kind in columns:
        s = df[name]
        if kind == "date":  # a year has a few hundred distinct dates: each is formatted once
            codes, uniques = pd.factorize(s)
            texts = np.array([*uniques.strftime("%Y-%m-%d"), None], dtype=object)  # code -1 (missing): None
            out.append(texts[codes].tolist())
            continue
        if kind == "datetime":
            s = _iso_datetime_or_none(s)
        elif kind == "bool":
            s = s.astype("Int64")
        out.append(_objects(s))
    return out


def arrow_values(df: pd.DataFrame, columns: list[tuple[str, str]]):
    """The columns as an Arrow table for PostgreSQL's ``COPY``, without a Python object per value: dates
    as dates, datetimes ISO text with offset, the rest as typed."""
    import pyarrow as pa

    arrays = {}
    for name, kind in columns:
        s = df[name]
        if kind == "date":
            arrays[name] = pa.array(s).cast(pa.date32())
        elif kind == "datetime":
            arrays[name] = pa.array(_iso_datetime_or_none(s), type=pa.string())
        else:
            arrays[name] = pa.array(s)
    return pa.table(arrays)


def _iso_datetime_or_none(s: pd.Series) -> pd.Series:
    return iso_datetime(s).astype(object).where(s.notna(), None)


def _dates(values) -> pd.Series:
    """ISO dates (text) as datetime64[us]: each distinct text parsed once."""
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object), format="ISO8601").astype("datetime64[us]")
    return pd.Series(parsed.array.take(codes, allow_fill=True))


def typed(columns: dict[str, object], extract: Extract, tz: str) -> pd.DataFrame:
    """A frame typed as the extract declares from stored values (lists or arrays per column)."""
    data = {}
    for name, kind in staged_columns(extract):
        v = columns[name]
        if kind == "date":
            data[name] = _dates(v)
        elif kind == "datetime":
            data[name] = pd.to_datetime(pd.Series(v, dtype=object), utc=True, format="ISO8601").dt.tz_convert(
                tz).astype(f"datetime64[us, {tz}]")
        elif kind == "int":
            data[name] = pd.Series(pd.array(v, dtype="Int64"))
        elif kind == "float":
            data[name] = pd.Series(pd.array(v, dtype="Float64"))
        elif kind == "bool":
            data[name] = pd.Series(pd.array(v, dtype="boolean"))
        elif kind == "meta_int":
            data[name] = pd.Series(v, dtype="int64")
        elif kind == "meta_text":
            data[name] = meta_category(pd.Series(v, dtype="str"))
        else:
            data[name] = pd.Series(pd.array(v, dtype="string"))
    return pd.DataFrame(data, copy=False)  # copy-on-write: sharing the columns is safe


def as_read(df: pd.DataFrame, extract: Extract, tz: str) -> pd.DataFrame:
    """Rows a write stores (staged names, lineage included) as a read would return them: the stored
    precision (dates without a time, microseconds) and the declared dtypes."""
    data = {}
    for name, kind in staged_columns(extract):
        s = df[name]
        if kind == "date":
            s = s.dt.normalize().astype("datetime64[us]")
        elif kind == "datetime":
            s = s.dt.tz_convert(tz).astype(f"datetime64[us, {tz}]")
        elif kind == "meta_text":
            s = meta_category(s.astype("str"))
        else:
            s = s.astype({"int": "Int64", "float": "Float64", "bool": "boolean", "meta_int": "int64"}.get(kind,
                                                                                                     "string"))
        data[name] = s.reset_index(drop=True)
    return pd.DataFrame(data, copy=False)  # copy-on-write: sharing the columns is safe


def later_than(frame: pd.DataFrame, landing_month: str) -> bool:
    """True when ``landing_month`` is later than every landing month of the frame's rows."""
    months = frame["_landing_month"].cat.categories
    return len(months) == 0 or months.max() < landing_month


def sort_staged(df: pd.DataFrame, extract: Extract) -> pd.DataFrame:
    """In staged order (STAGED_ORDER, then the natural key): Arrow's sort, several times pandas' on string
    keys. A lineage column sorts by its codes: its categories are kept sorted (meta_category)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = [*STAGED_ORDER, *extract.staged_key]
    columns = {k: pa.array(df[k].cat.codes if isinstance(df[k].dtype, pd.CategoricalDtype) else df[k]) for k in key}
    order = pc.sort_indices(pa.table(columns), sort_keys=[(k, "ascending") for k in key])
    return df.take(order.to_numpy()).reset_index(drop=True)


def meta_category(s: pd.Series) -> pd.Series:
    """A lineage column (``_landing_month``, ``_file``, ``_run_id``: a few values over a year of rows)
    as a categorical of its values, sorted: a byte or two a row instead of its text."""
    return s.astype(pd.CategoricalDtype(pd.Index(s.unique(), dtype="str").sort_values()))


def concat_staged(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Staged frames one after the other. Each lineage column is put on one sorted set of
    categories first (pandas would fall back to text), and keeps only the categories its rows have."""
    meta = [name for name in parts[0].columns if isinstance(parts[0][name].dtype, pd.CategoricalDtype)]
    for name in meta:
        categories = pd.Index(sorted(set().union(*(p[name].cat.categories for p in parts))), dtype="str")
        parts = [p.assign(**{name: p[name].cat.set_categories(categories)}) for p in parts]
    frame = pd.concat(parts, ignore_index=True)
    for name in meta:  # counting the codes first: removing categories recodes every row, even when none is unused
        column = frame[name].cat
        if not np.bincount(column.codes.to_numpy(), minlength=len(column.categories)).all():
            frame[name] = column.remove_unused_categories()
    return frame


def replaced_rows(frame: pd.DataFrame, rows: pd.DataFrame, key: list[str]) -> np.ndarray:
    """Over ``frame``: True where ``rows`` has a row of the same natural key. The keys are joined into one
    Arrow string per row (parts joined by NUL) and the frame's are probed against the rows' (a hash of
    the few, never of the year's)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def joined(df: pd.DataFrame):
        parts = [pc.cast(pa.array(df[k]), pa.large_string()) for k in key]
        return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, pa.scalar("\x00",
                                                                                              pa.large_string()))

    return pc.is_in(joined(frame), value_set=joined(rows)).to_numpy(zero_copy_only=False)


def with_rows(frame: pd.DataFrame, rows: pd.DataFrame, extract: Extract) -> pd.DataFrame:
    """``frame`` (in staged order) after ``rows`` replaced its rows of the same natural key or joined it,
    in staged order. Rows of a landing month later than every month of the frame (a backfill's next month)
    are appended; otherwise the whole frame is sorted again."""
    if not len(rows):
        return frame
    rows = sort_staged(rows, extract)
    if not len(frame):
        return rows
    replaced = replaced_rows(frame, rows, extract.staged_key)
    kept = frame[~replaced] if replaced.any() else frame
    joined = concat_staged([kept, rows])
    months = rows["_landing_month"].cat.categories
    return joined if len(months) == 1 and later_than(frame, months[0]) else sort_staged(joined, extract)
