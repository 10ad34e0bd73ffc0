"""``http``: a JSON API, page by page, into the landing CSV.

Source options: ``base_url``; ``auth`` ``bearer`` (a ``token`` reference), ``basic`` (``username`` and a
``password`` reference) or ``none``; ``timeout`` seconds (default 30); ``attempts`` and
``retry_delays`` for a request answered 429 or 5xx or not at all (a ``Retry-After`` header wins over
the delay, up to ``MAX_RETRY_AFTER`` seconds); ``headers`` (no credentials there).

Extract options: ``path`` (joined to ``base_url``); ``params``, the query parameters, with the month's
placeholders (``{start}``, ``{end}``, ``{period}``, ``{cutoff}``...); ``records``, the dotted path of
the list of records in the body (empty: the body is the list); ``paging``:

- ``page``: ``page_param`` (default ``page``) from ``first_page`` (default 1), ``size_param`` (default
  ``page_size``) = ``page_size`` (default 500), until a page has fewer records than ``page_size``;
- ``offset``: ``offset_param`` (default ``offset``) and ``limit_param`` (default ``limit``) =
  ``page_size``, likewise;
- ``next``: the URL of the next page at the dotted path ``next`` of the body (default ``next``), or in
  a ``Link: <...>; rel="next"`` header, until there is none;
- ``none``: one request.

``fields`` maps the contract's columns to the API's field names (dotted for nested objects:
``category = "category.name"``); a column not mapped is looked up under its own name. A contract
column that neither is mapped nor appears in the first page is left out, so the run reports it
missing, as for a file.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from kinerja.fetch.common import CsvOut, Fetched, FetchError, SourceUnreachable, first_line, period_values
from kinerja.fetch.config import ExtractSource, Source

DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_PAGE_SIZE = 500
MAX_PAGES = 100_000
MAX_RETRY_AFTER = 300.0


def client(source: Source, credentials: dict[str, str]) -> httpx.Client:
    """An httpx client for the source: its base URL, timeout, headers and authentication."""
    auth_kind = source.options.get("auth", "bearer" if "token" in credentials else "none")
    headers = {str(k): str(v) for k, v in source.options.get("headers", {}).items()}
    auth = None
    if auth_kind == "bearer":
        if "token" not in credentials:
            raise FetchError("auth = \"bearer\" needs token = { env = ... } or { secret = ... }")
        headers["Authorization"] = f"Bearer {credentials['token']}"
    elif auth_kind == "basic":
        if "password" not in credentials or "username" not in source.options:
            raise FetchError("auth = \"basic\" needs username and password = { env = ... } or { secret = ... }")
        auth = httpx.BasicAuth(str(source.options["username"]), credentials["password"])
    elif auth_kind != "none":
        raise FetchError(f"auth must be bearer, basic or none, got {auth_kind!r}")
    timeout = float(source.options.get("timeout", DEFAULT_TIMEOUT_SECONDS))
    return httpx.Client(base_url=str(source.options["base_url"]), headers=headers, auth=auth,
                        timeout=httpx.Timeout(timeout), follow_redirects=False)


def _retryable(response: httpx.Response) -> bool:
    return response.status_code == 429 or response.status_code >= 500


def _retry_after(response: httpx.Response | None, default: float) -> float:
    if response is None:
        return default
    try:
        return min(max(float(response.headers.get("Retry-After", default)), 0.0), MAX_RETRY_AFTER)
    except ValueError:  # an HTTP date: use our own delay
        return default


def get(http: httpx.Client, url: str, params: dict | None, source: Source, what: str,
        sleep: Callable[[float], None] = time.sleep, log=None) -> httpx.Response:
    """One GET, retried on 429, 5xx, a timeout or a connection error with the source's delays."""
    delays = source.retry_delays or (0.0,)
    for attempt in range(1, source.attempts + 1):
        response = None
        try:
            response = http.get(url, params=params)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            reason = f"{type(exc).__name__}: {first_line(exc)}"
        else:
            if not _retryable(response):
                if response.is_error:
                    raise FetchError(f"{what}: HTTP {response.status_code} {response.reason_phrase} for "
                                     f"{_where(response.request.url)}: {_snippet(response)}")
                return response
            reason = f"HTTP {response.status_code} {response.reason_phrase}: {_snippet(response)}"
        if attempt == source.attempts:
            raise SourceUnreachable(f"{what}: unreachable after {source.attempts} attempt(s): {reason}")
        delay = _retry_after(response, delays[min(attempt - 1, len(delays) - 1)])
        if log is not None:
            log.warning("%s: attempt %d of %d failed (%s); again in %.0f s", what, attempt, source.attempts,
                        reason, delay)
        sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def _snippet(response: httpx.Response) -> str:
    text = " ".join(response.text[:200].split())
    return text or "(empty body)"


def _where(url: httpx.URL) -> str:
    """The URL without user info (a credential never sits in it, but a misconfigured one might)."""
    return str(url.copy_with(username=None, password=None)) if url.userinfo else str(url)


def dig(value: object, path: str) -> object:
    """The value at a dotted path of a JSON object (None when absent)."""
    for part in path.split(".") if path else []:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def pages(http: httpx.Client, source: Source, extract: ExtractSource, month, deadline_day: int, tz: str, what: str,
          sleep: Callable[[float], None] = time.sleep, log=None) -> Iterator[list[dict]]:
    """The records of every page, one list per page, in order."""
    opts = extract.options
    values = {k: str(v) for k, v in period_values(month, deadline_day, tz).items()}
    try:
        params = {str(k): str(v).format(**values) for k, v in opts.get("params", {}).items()}
    except (KeyError, IndexError, ValueError) as exc:
        raise FetchError(f"{what}: params: unknown placeholder {exc}") from None
    paging = opts.get("paging", "none")
    size = int(opts.get("page_size", DEFAULT_PAGE_SIZE))
    url: str | None = str(opts["path"])
    number = int(opts.get("first_page", 1))
    offset = 0
    if paging == "page":
        params[opts.get("size_param", "page_size")] = str(size)
    elif paging == "offset":
        params[opts.get("limit_param", "limit")] = str(size)
    elif paging not in ("next", "none"):
        raise FetchError(f"{what}: paging must be page, offset, next or none, got {paging!r}")
    for _ in range(MAX_PAGES):
        if paging == "page":
            params[opts.get("page_param", "page")] = str(number)
        elif paging == "offset":
            params[opts.get("offset_param", "offset")] = str(offset)
        response = get(http, url, params, source, what, sleep, log)
        try:
            body = response.json()
        except ValueError:
            raise FetchError(f"{what}: {_where(response.request.url)} did not answer JSON") from None
        records = dig(body, opts.get("records", "")) if opts.get("records") else body
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise FetchError(f"{what}: no list of records at {opts.get('records') or 'the top'} of the body")
        yield records
        if paging == "none":
            return
        if paging == "next":
            nxt = dig(body, opts.get("next", "next")) if isinstance(body, dict) else None
            nxt = nxt or response.links.get("next", {}).get("url")
            if not nxt:
                return
            url, params = str(response.request.url.join(str(nxt))), None
            continue
        if len(records) < size:
            return
        number += 1
        offset += len(records)
    raise FetchError(f"{what}: more than {MAX_PAGES} pages")


def fetch(http: httpx.Client, source: Source, extract: ExtractSource, contract: list[str], month, tmp: Path,
          deadline_day: int, tz: str, what: str, sleep: Callable[[float], None] = time.sleep, log=None) -> Fetched:
    """Every page of the extract's endpoint into ``tmp`` as CSV, the API's fields renamed to the contract's."""
    mapping = {str(k): str(v) for k, v in extract.options.get("fields", {}).items()}
    columns: list[str] | None = None
    n_pages = 0
    with CsvOut(tmp) as out:
        for records in pages(http, source, extract, month, deadline_day, tz, what, sleep, log):
            n_pages += 1
            if columns is None and records:
                present = set().union(*(r.keys() for r in records))
                columns = [c for c in contract if c in mapping or c in present]
                columns += [c for c in mapping if c not in columns]
                out.header(columns)
            if columns is not None:
                out.write([dig(r, mapping.get(c, c)) for c in columns] for r in records)
        if columns is None:  # no records at all: an empty extract, with the contract's header
            out.header(contract)
        rows = out.rows
    request = http.build_request("GET", str(extract.options["path"]))
    return Fetched("csv", rows, {"url": _where(request.url), "params": extract.options.get("params", {}),
                                 "paging": extract.options.get("paging", "none"), "pages": n_pages})
