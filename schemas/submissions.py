"""Portal Data ``submissions``: each version of a dataset's file received by the walidata."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    at_least,
    at_most_count,
    build_schema,
    not_after,
    not_before,
)


def schema(ctx: ValidationContext):
    checks = {
        "version": [at_least(1), at_most_count()],
        # a dataset due early in the year may be sent in the December before
        "submitted_at": [not_after(ctx.cutoff), not_before(ctx.previous_year_start, "the start of the year before")],
        "duplicate_key_rows": [at_least(0), at_most_count()],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="portal_data",
    name="submissions",
    description="Submission log of the data portal: one row per version of a dataset file.",
    key=("dataset_id", "version"),
    columns=(
        Column("dataset_id", "text", "Dataset identifier (daftar data)"),
        Column("version", "int", "Version number of the submitted file, from 1"),
        Column("submitted_at", "datetime", "When this version was received"),
        Column("components_complete", "bool", "The file has all required components"),
        Column("duplicate_key_rows", "int", "Rows duplicated on the dataset's key variables"),
        Column("validated", "bool", "Validated by its producer"),
    ),
    schema=schema,
)
