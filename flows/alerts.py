"""Alerts: a failed or crashed run tells operations, as a plain JSON webhook POST.

Where to send: ``KINERJA_ALERT_URL`` in the environment of the worker, else the
value of the Prefect Secret block ``kinerja-alert-url``. When neither is set,
nothing is sent (the run's state and logs in the Prefect UI still say it all).

What is sent (one JSON object; ``text`` is a one-line summary that chat webhooks
such as Slack or Mattermost show as is)::

    {"source": "kinerja", "event": "failed" | "crashed", "state": "Failed",
     "flow": "kinerja-monthly", "deployment": "monthly" | null,
     "flow_run": {"id": "...", "name": "kinerja-2024-06", "url": "http://.../runs/flow-run/..."},
     "period": "2024-06",
     "failed_extracts": [{"period": "2024-06", "extract": "ekinerja/skm_responses", "message": "..."}],
     "failed_indicators": [{"period": "2024-06", "indicator": 3, "name": "...", "reason": "..."}],
     "late_files": [{"source": "ekinerja", "extract": "skm_responses", "month": "2024-06",
                     "status": "missing", "arrived": null}],
     "message": "<the state message>", "parameters": {...}, "text": "..."}

``late_files`` names each late or missing file of a monthly extract once: the failed run that first
finds it overdue names it (kinerja.arrival, ``landing_arrival.reported_run_id``); a later run that
still misses it lists it under ``failed_extracts`` only.

Never in it: the warehouse password (URLs are shown with ``***``), the pseudonym key.
A monthly run inside a backfill does not alert on its own: the backfill sends one
alert naming every failed month.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

import httpx

ALERT_URL_ENV = "KINERJA_ALERT_URL"
ALERT_SECRET_BLOCK = "kinerja-alert-url"
TIMEOUT_SECONDS = 10.0
ATTEMPTS = 3
_URL_CREDENTIALS = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:)(?P<password>[^@\s/]+)@")
_SECRET_ENV = ("KINERJA_PSEUDONYM_KEY", "PGPASSWORD")
_FETCH_FAILED = re.compile(r"fetch failed: source system (\S+ \((?:sql|http|files)\))")

# What a run found wrong, by flow run id, for the hooks: the state a hook receives does not
# always carry the exception (a deployment run's state comes back from the API without it).
_FAILURES: dict[str, BaseException] = {}


def _logger(flow=None, flow_run=None) -> logging.Logger | logging.LoggerAdapter:
    """The flow run's logger (its lines show in the run's logs in the UI), else a module logger."""
    if flow_run is not None:
        try:
            from prefect.logging.loggers import flow_run_logger

            return flow_run_logger(flow_run, flow)
        except Exception:  # outside a Prefect context
            pass
    return logging.getLogger("kinerja.alerts")


# -- where --------------------------------------------------------------------------------------

def alert_url(logger: logging.Logger | logging.LoggerAdapter | None = None) -> str | None:
    """The webhook URL: ``KINERJA_ALERT_URL``, else the Secret block ``kinerja-alert-url``, else None."""
    logger = logger or _logger()
    url = os.environ.get(ALERT_URL_ENV, "").strip()
    if not url:
        try:
            from prefect.blocks.system import Secret

            url = str(Secret.load(ALERT_SECRET_BLOCK).get()).strip()
        except ValueError:  # no such block: alerts are not configured
            return None
        except Exception as exc:  # the API is unreachable, the block is of another type...
            logger.warning("alert: could not read the Secret block %r (%s); no alert sent",
                           ALERT_SECRET_BLOCK, type(exc).__name__)
            return None
    if not url:
        return None
    if not url.lower().startswith(("http://", "https://")):
        logger.warning("alert: the alert URL is not an http(s) URL; no alert sent")
        return None
    return url


def _where(url: str) -> str:
    """Scheme and host only: a webhook URL often carries its token in the path."""
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}" + (f":{parsed.port}" if parsed.port else "")


# -- what --------------------------------------------------------------------------------------

def _secrets(parameters: dict[str, Any]) -> list[str]:
    """Values that must never leave: passwords of warehouse URLs in use, keys from the environment."""
    import sqlalchemy as sa

    found: list[str] = []
    for url in (parameters.get("warehouse_url"), os.environ.get("KINERJA_WAREHOUSE_URL")):
        if not url:
            continue
        try:
            password = sa.make_url(str(url)).password
        except Exception:
            continue
        if password:
            found.append(str(password))
    found += [os.environ[name] for name in _SECRET_ENV if os.environ.get(name)]
    return sorted({s for s in found if len(s) >= 3}, key=len, reverse=True)


def scrub(value: Any, secrets: list[str]) -> Any:
    """Mask credentials in every string of a JSON-like value: URL passwords and the given secrets."""
    if isinstance(value, str):
        text = _URL_CREDENTIALS.sub(lambda m: f"{m.group('head')}***@", value)
        for secret in secrets:
            text = text.replace(secret, "***")
        return text
    if isinstance(value, dict):
        return {scrub(k, secrets): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def remember(flow_run_id, exc: BaseException) -> BaseException:
    """Keep the details of a failing run for its hooks (and for a backfill over it); returns ``exc``."""
    if flow_run_id:
        _FAILURES[str(flow_run_id)] = exc
    return exc


def failure_of(flow_run_id, state=None) -> BaseException | None:
    """The exception a run failed with: the one it remembered, else the one its state carries."""
    if flow_run_id and str(flow_run_id) in _FAILURES:
        return _FAILURES[str(flow_run_id)]
    if state is None:
        return None
    try:
        result = state.result(raise_on_failure=False)
    except BaseException:  # the result cannot be read back (crash without data)
        return None
    return result if isinstance(result, BaseException) else None


def _period_from_name(name: str | None) -> str | None:
    match = re.fullmatch(r"kinerja-(\d{4}-\d{2})", name or "")
    return match.group(1) if match else None


def _failures(exc: BaseException | None, default_period: str | None) -> tuple[list[dict], list[dict], list[dict]]:
    """Failed extracts and indicators, and late files, carried by a ``RunFailed`` (one month, or every
    month of a backfill)."""
    if exc is None:
        return [], [], []
    months = getattr(exc, "failed_months", None)
    runs = list(months.values()) if isinstance(months, dict) and months else [exc]
    extracts, indicators, late = [], [], []
    for run in runs:
        late += [dict(f) for f in (getattr(run, "late_files", None) or [])]
        period = getattr(run, "period", None) or default_period
        for extract, message in (getattr(run, "failed_extracts", None) or {}).items():
            extracts.append({"period": period, "extract": extract, "message": message})
        names = getattr(run, "indicator_names", None) or {}
        for no, reason in sorted((getattr(run, "failed_indicators", None) or {}).items()):
            indicators.append({"period": period, "indicator": no, "name": names.get(no), "reason": reason})
    return extracts, indicators, late


def _text(payload: dict) -> str:
    run = payload["flow_run"]
    head = f"Kinerja {payload['event'].upper()}: {run['name']} ({payload['flow']})"
    if payload.get("period"):
        head += f", period {payload['period']}"
    parts = [head]
    if payload.get("late_files"):
        parts.append("late files: " + ", ".join(
            f"{f['source']}/{f['extract']} {f['month']} ({f['status']})" for f in payload["late_files"]))
    if payload["failed_extracts"]:
        parts.append("failed extracts: " + ", ".join(
            f"{e['extract']} ({e['period']})" for e in payload["failed_extracts"]))
        # an extract whose fetch failed names its source system (kinerja.fetch): say which were not reached
        systems = dict.fromkeys(m.group(1) for e in payload["failed_extracts"]
                                if (m := _FETCH_FAILED.match(str(e.get("message") or ""))))
        if systems:
            parts.append("source systems not fetched: " + ", ".join(systems))
    if payload["failed_indicators"]:
        parts.append("failed indicators: " + ", ".join(
            f"{i['indicator']}{' ' + i['name'] if i.get('name') else ''} ({i['period']})"
            for i in payload["failed_indicators"]))
    if not payload["failed_extracts"] and not payload["failed_indicators"] and payload.get("message"):
        parts.append(payload["message"][:500])
    if run.get("url"):
        parts.append(run["url"])
    return " | ".join(parts)


def build_payload(flow, flow_run, state) -> dict[str, Any]:
    """The alert for a run that ended in ``state``; credentials already masked."""
    from prefect.utilities.urls import url_for

    exc = failure_of(flow_run.id, state)
    parameters = dict(getattr(flow_run, "parameters", None) or {})
    period = getattr(exc, "period", None) or parameters.get("period") or _period_from_name(flow_run.name)
    if not period and parameters.get("from_period"):
        period = f"{parameters['from_period']}..{parameters.get('to_period')}"
    extracts, indicators, late = _failures(exc, period)
    try:
        url = url_for(flow_run)
    except Exception:
        url = None
    deployment = None
    if getattr(flow_run, "deployment_id", None):
        try:
            from prefect.runtime import deployment as runtime_deployment

            deployment = runtime_deployment.name
        except Exception:
            deployment = None
    payload = {
        "source": "kinerja",
        "event": "crashed" if state.is_crashed() else "failed",
        "state": state.name,
        "flow": getattr(flow, "name", None),
        "deployment": deployment,
        "flow_run": {"id": str(flow_run.id), "name": flow_run.name, "url": url},
        "period": str(period) if period else None,
        "failed_extracts": extracts,
        "failed_indicators": indicators,
        "late_files": late,
        "message": state.message,
        "parameters": {k: v for k, v in parameters.items() if isinstance(v, str | int | float | bool | None)},
    }
    if payload["parameters"].get("warehouse_url"):
        from kinerja.warehouse import safe_url

        try:
            payload["parameters"]["warehouse_url"] = safe_url(payload["parameters"]["warehouse_url"])
        except Exception:
            payload["parameters"]["warehouse_url"] = "***"
    payload["text"] = _text(payload)
    return scrub(payload, _secrets(parameters))


# -- how --------------------------------------------------------------------------------------

def send(url: str, payload: dict, logger=None, *, attempts: int = ATTEMPTS,
         timeout: float = TIMEOUT_SECONDS, backoff: float = 1.0) -> bool:
    """POST the payload as JSON; retry a network error or a 5xx with backoff. Never raises."""
    logger = logger or _logger()
    where = _where(url)
    for attempt in range(1, attempts + 1):
        try:
            response = httpx.post(url, json=payload, timeout=timeout,
                                  headers={"User-Agent": "kinerja-alerts"})
        except httpx.HTTPError as exc:
            problem = f"{type(exc).__name__}"
        else:
            if response.is_success:
                logger.info("alert sent to %s (HTTP %d)", where, response.status_code)
                return True
            problem = f"HTTP {response.status_code}"
            if response.status_code < 500:
                logger.error("alert to %s refused: %s", where, problem)
                return False
        if attempt < attempts:
            time.sleep(backoff * 2 ** (attempt - 1))
    logger.error("alert to %s failed after %d attempts: %s", where, attempts, problem)
    return False


def notify(flow, flow_run, state) -> bool:
    """Send the alert for this run if an alert URL is configured; True when one was delivered."""
    logger = _logger(flow, flow_run)
    if getattr(flow_run, "parent_task_run_id", None) is not None:
        logger.info("alert: run %s is part of a larger run, which reports it", flow_run.name)
        return False
    url = alert_url(logger)
    if url is None:
        logger.info("alert: no %s and no Secret block %r; no alert sent", ALERT_URL_ENV, ALERT_SECRET_BLOCK)
        return False
    try:
        payload = build_payload(flow, flow_run, state)
    except Exception as exc:  # never let a bug here hide the run's own failure
        logger.error("alert: could not build the alert (%s); sending a minimal one", type(exc).__name__)
        payload = scrub({"source": "kinerja", "event": "crashed" if state.is_crashed() else "failed",
                         "state": state.name, "flow": getattr(flow, "name", None),
                         "flow_run": {"id": str(flow_run.id), "name": flow_run.name, "url": None},
                         "message": state.message, "text": f"Kinerja run {flow_run.name} {state.name}"},
                        _secrets(dict(getattr(flow_run, "parameters", None) or {})))
    return send(url, payload, logger)


def on_failure(flow, flow_run, state) -> None:
    """Flow hook: the run ended Failed (an extract or indicator failed, or an error stopped it)."""
    notify(flow, flow_run, state)


def on_crashed(flow, flow_run, state) -> None:
    """Flow hook: the run's process was interrupted (a signal, an out-of-memory kill the engine saw)."""
    notify(flow, flow_run, state)
