"""The sources file: which extracts are fetched from which source system, and how.

Its path is the setting ``KINERJA_SOURCES`` (``kinerja fetch --sources FILE`` beats it). Without it,
nothing is fetched: every extract is read from the landing directory as the source systems or an
operator left it. The example with every option is ``docs/sources.example.toml``::

    [sources.simpeg]                        # a source system, named as in the landing layout
    kind = "sql"                            # sql | http | files
    url = "mysql+pymysql://kinerja_ro@simpeg-db.internal:3306/simpeg"
    password = { env = "KINERJA_SIMPEG_PASSWORD" }

    [sources.simpeg.extracts.pns_snapshot]  # an extract of that source (schemas/)
    query = "SELECT ... WHERE snapshot_date = :end"

A source names only where its credentials are (``kinerja.fetch.secrets``); a literal password, token
or a URL with a password in it is refused when the file is loaded.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kinerja import extracts as extract_registry
from kinerja.fetch.secrets import SecretRef, parse_ref
from kinerja.readers import EXTENSIONS
from kinerja.safety import UnsafePathError, check_name

SOURCES_ENV = "KINERJA_SOURCES"
KINDS = ("sql", "http", "files")
# keys of a source that hold a credential: only a reference is accepted there
SECRET_KEYS = ("password", "token")
DEFAULT_ATTEMPTS = 3
DEFAULT_RETRY_DELAYS = (5.0, 30.0, 60.0)


class SourcesError(ValueError):
    """A sources file that cannot be used; the message names the file and the entry at fault."""


@dataclass(frozen=True)
class ExtractSource:
    """How one extract is fetched: the keys of ``[sources.<source>.extracts.<name>]``."""

    source: str
    name: str
    options: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.source}/{self.name}"


@dataclass(frozen=True)
class Source:
    """A source system: its kind, connection options (credentials as references) and extracts."""

    name: str
    kind: str
    options: dict[str, Any]
    secrets: dict[str, SecretRef]
    extracts: dict[str, ExtractSource]
    attempts: int = DEFAULT_ATTEMPTS
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS


@dataclass(frozen=True)
class Sources:
    path: Path | None
    sources: dict[str, Source] = field(default_factory=dict)

    def extract(self, extract_id: str) -> tuple[Source, ExtractSource] | None:
        source, _, name = extract_id.partition("/")
        found = self.sources.get(source)
        return (found, found.extracts[name]) if found and name in found.extracts else None

    def extract_ids(self) -> list[str]:
        return [e.id for s in self.sources.values() for e in s.extracts.values()]


def sources_path(given: str | None = None) -> Path | None:
    """The sources file: ``given`` (an option), else ``KINERJA_SOURCES``, else None (nothing to fetch)."""
    text = given or os.environ.get(SOURCES_ENV, "").strip()
    return Path(text).expanduser().resolve() if text else None


def load_sources(path: Path | str | None) -> Sources:
    """Read and check a sources file (SourcesError naming the file and the entry at fault). None: empty."""
    if path is None:
        return Sources(None)
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file {path} does not exist ({SOURCES_ENV})") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourcesError(f"sources file {path} does not load: {type(exc).__name__}: {exc}") from None
    unknown = set(data) - {"sources"}
    if unknown:
        raise SourcesError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; sources go under "
                           "[sources.<name>]")
    try:
        sources = {name: _source(name, table) for name, table in data.get("sources", {}).items()}
    except (ValueError, TypeError) as exc:
        raise SourcesError(f"{path}: {exc}") from None
    return Sources(path, sources)


def _source(name: str, table: Any) -> Source:
    where = f"[sources.{name}]"
    try:
        check_name(name, "source")
    except UnsafePathError as exc:
        raise ValueError(f"{where}: {exc}") from None
    if not isinstance(table, dict):
        raise ValueError(f"{where} must be a table")
    options = dict(table)
    kind = options.pop("kind", None)
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    extracts = options.pop("extracts", {})
    if not isinstance(extracts, dict) or not extracts:
        raise ValueError(f"{where}: no extracts: add [sources.{name}.extracts.<extract>]")
    attempts = options.pop("attempts", DEFAULT_ATTEMPTS)
    delays = options.pop("retry_delays", list(DEFAULT_RETRY_DELAYS))
    if not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"{where}: attempts must be a whole number of at least 1")
    if not isinstance(delays, list) or not all(isinstance(d, int | float) and d >= 0 for d in delays):
        raise ValueError(f"{where}: retry_delays must be a list of seconds, e.g. [5, 30, 60]")
    secrets = _secret_refs(options, where)
    if kind == "files" and isinstance(options.get("options"), dict):
        nested = dict(options["options"])
        secrets.update({f"options.{k}": ref for k, ref in _secret_refs(nested, f"{where} options").items()})
        options["options"] = nested
    _check_url(options, where)
    known = extract_registry.registry()
    parsed = {}
    for ext_name, ext_table in extracts.items():
        ext_where = f"[sources.{name}.extracts.{ext_name}]"
        if f"{name}/{ext_name}" not in known:
            raise ValueError(f"{ext_where}: {name}/{ext_name} is not an extract Kinerja knows (schemas/)")
        if not isinstance(ext_table, dict):
            raise ValueError(f"{ext_where} must be a table")
        _check_extract(kind, ext_table, ext_where)
        parsed[ext_name] = ExtractSource(name, ext_name, dict(ext_table))
    return Source(name, kind, options, secrets, parsed, attempts, tuple(float(d) for d in delays))


def _secret_refs(options: dict, where: str) -> dict[str, SecretRef]:
    """Take every credential out of ``options``: a reference table, or a key named like a credential."""
    refs = {}
    for key, value in list(options.items()):
        if isinstance(value, dict) and set(value) <= {"env", "secret"} and value:
            refs[key] = parse_ref(value, f"{where} {key}")
            del options[key]
        elif key in SECRET_KEYS or key.endswith(("_password", "_token", "secret")):
            parse_ref(value, f"{where} {key}")  # raises: a credential written in the file
    return refs


def _check_url(options: dict, where: str) -> None:
    import sqlalchemy as sa

    url = options.get("url")
    if url is None:
        return
    if not isinstance(url, str) or not url:
        raise ValueError(f"{where}: url must be a text")
    try:
        password = sa.make_url(url).password if "://" in url else None
    except Exception:
        password = None
    if password or ("://" in url and "@" in url.split("://", 1)[1].split("/", 1)[0]
                    and ":" in url.split("://", 1)[1].split("@", 1)[0]):
        raise ValueError(f"{where}: the url carries a password; keep it out of the file: "
                         "password = { env = \"VARIABLE\" } or { secret = \"block\" }")


def _check_extract(kind: str, table: dict, where: str) -> None:
    required = {"sql": "query", "http": "path", "files": "pattern"}[kind]
    if not isinstance(table.get(required), str) or not table[required].strip():
        raise ValueError(f"{where}: {kind} extracts need `{required}`")
    if kind == "files":
        ext = table["pattern"].rsplit(".", 1)[-1].lower() if "." in table["pattern"] else ""
        if ext not in EXTENSIONS and ext != "*":
            raise ValueError(f"{where}: pattern must end in one of .{', .'.join(EXTENSIONS)} "
                             f"(got {table['pattern']!r})")
    fields = table.get("fields", {})
    if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
        raise ValueError(f"{where}: fields must map contract columns to the source's field names")
