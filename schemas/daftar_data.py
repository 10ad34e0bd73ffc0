"""Portal Data ``daftar_data``: the datasets each producer must deliver, with release dates."""

from datetime import date

from kinerja.extracts import Column, Extract, ValidationContext, build_schema, not_after, not_before


def schema(ctx: ValidationContext):
    year = ctx.catalog.pk_year
    # release dates are plans: anywhere in the PK year
    checks = {"release_date": [not_before(date(year, 1, 1), "the start of the PK year"),
                               not_after(date(year, 12, 31), "the end of the PK year")]}
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="portal_data",
    name="daftar_data",
    description="Daftar data: datasets to deliver, by producing PD, with the scheduled release date.",
    key=("dataset_id",),
    columns=(
        Column("dataset_id", "text", "Dataset identifier"),
        Column("producer_pd", "text", "Producing Perangkat Daerah (produsen data)"),
        Column("title", "text", "Dataset title"),
        Column("key_variables", "text", "Key variables of the dataset, comma-separated", nullable=True),
        Column("release_date", "date", "Scheduled release date (jadwal rilis)"),
    ),
    schema=schema,
)
