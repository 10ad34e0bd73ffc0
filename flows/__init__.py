"""Prefect flows: the monthly run and the backfill over a range of months."""
