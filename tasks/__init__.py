"""Prefect tasks: thin wrappers over ``kinerja.pipeline`` that add retries, a task run in the UI and its logs."""

from collections.abc import Callable

from prefect.utilities.annotations import quote

from kinerja import pipeline
from kinerja.catalog import Catalog, Indicator
from tasks import arrivals, compute, ingest, load, stage


def steps(**others: Callable) -> pipeline.Steps:
    """The steps of ``pipeline.run_month`` as Prefect tasks (``others``: more steps, e.g. ``publish``)."""
    return pipeline.Steps(
        prepare_warehouse=_quoting(load.prepare_warehouse), start_run=load.start_run,
        ingest=_quoting(ingest.ingest_extract), record_failed=stage.record_failed,
        read_staged=_quoting(compute.read_staged), compute_indicators=_quoting(compute.compute_indicators),
        load=load.load_results,
        track_arrivals=_quoting(arrivals.track_arrivals), **others)


def _quoting(task: Callable) -> Callable:
    """``task`` called with the catalog and its indicators quoted (Prefect's annotation): Prefect
    otherwise walks every nested rule, target and band of them looking for futures, on every call."""

    def call(*args):
        return task(*(quote(a) if _is_catalog(a) else a for a in args))

    return call


def _is_catalog(value) -> bool:
    return isinstance(value, Catalog) or (isinstance(value, list) and bool(value) and isinstance(value[0], Indicator))
