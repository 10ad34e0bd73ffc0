"""Si PINTER ``merit_assessment``: the merit-system self-assessment, one score (1-4) per sub-aspect."""

import pandera.pandas as pa

from kinerja.extracts import (
    YEAR_MIN,
    Column,
    Extract,
    ValidationContext,
    at_least,
    at_most_count,
    between,
    build_schema,
    one_of,
)


def schema(ctx: ValidationContext):
    rules = ctx.catalog.indicator("merit").rules
    file_year = ctx.month.year
    checks = {
        # an assessment cannot belong to a year after the file that carries it
        "year": [pa.Check.le(file_year, name="date_window", error=f"must not be after the file's year ({file_year})"),
                 pa.Check.ge(YEAR_MIN, name="date_window", error=f"must not be before {YEAR_MIN}")],
        "aspect": [one_of(a["no"] for a in rules["aspects"])],
        "sub_aspect": [at_least(1), at_most_count()],
        "score": [between(rules["score_min"], rules["score_max"])],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="sipinter",
    name="merit_assessment",
    description="Si PINTER (KASN) merit-system self-assessment: one score per sub-aspect of the 8 aspects.",
    key=("year", "aspect", "sub_aspect"),
    columns=(
        Column("year", "int", "Assessment year"),
        Column("aspect", "int", "Aspect of the merit system, numbered 1-8 as in the agreement"),
        Column("sub_aspect", "int", "Sub-aspect number within the aspect, from 1"),
        Column("score", "int", "Self-assessment score of the sub-aspect, 1-4"),
    ),
    schema=schema,
)
