"""SIMPEG ``pns_snapshot``: every PNS at a month-end, with what IP ASN and the 40 JP population need.

The enumerations are the source system's code lists (SPEC section 4); the points
each code earns are agreement data in the catalog (indicator ``ipasn``).
"""

from kinerja.extracts import Column, Extract, ValidationContext, build_schema, matches, month_in_file_window, one_of

EDUCATION = ("SD", "SMP", "SLTA", "D1", "D2", "D3", "D4", "S1", "S2", "S3")
SKP_PREDICATE = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang", "Sangat Kurang")
DISCIPLINE_PENALTY = ("tidak ada", "ringan", "sedang", "berat")
NIP_PATTERN = r"^[0-9]{18}$"  # ASCII digits only (a backslash-d also takes the digits of other scripts)
NIP_FORMAT = "18 digits (NIP: birth date, appointment month, sex, sequence)"



def schema(ctx: ValidationContext):
    checks = {
        "snapshot_month": [month_in_file_window(ctx)],
        "nip": [matches(NIP_PATTERN, NIP_FORMAT)],
        "education": [one_of(EDUCATION)],
        "skp_predicate": [one_of(SKP_PREDICATE)],
        "discipline_penalty": [one_of(DISCIPLINE_PENALTY)],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="simpeg",
    name="pns_snapshot",
    description="Month-end snapshot of the province's PNS (SIMPEG/SAPK): unit, education, SKP, discipline.",
    key=("snapshot_month", "nip"),
    columns=(
        Column("snapshot_month", "month", "Month-end of the snapshot (YYYY-MM)"),
        Column("nip", "text", "NIP, the 18-digit civil-servant number", pii=True),
        Column("unit_code", "text", "Perangkat Daerah the PNS works in"),
        Column("education", "text", "Highest education recognised (SD ... S3)"),
        Column("skp_predicate", "text", "SKP performance predicate (Sangat Baik ... Sangat Kurang)"),
        Column("discipline_penalty", "text", "Discipline penalty in force during the year (tidak ada, ringan, "
                                             "sedang, berat)"),
        Column("active", "bool", "Active PNS at the month-end (not on unpaid leave, study leave, suspended)"),
    ),
    schema=schema,
    snapshot=True,
)
