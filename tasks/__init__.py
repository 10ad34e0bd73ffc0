"""Prefect tasks: thin wrappers over ``kinerja.pipeline`` that add retries, logging and caching policy."""
