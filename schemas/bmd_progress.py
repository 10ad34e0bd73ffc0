"""e-Inventarisasi ``bmd_progress``: each UPB's month-end progress in the BMD inventory (Peralatan dan Mesin)."""

from kinerja.extracts import (
    Column,
    Extract,
    ValidationContext,
    at_least,
    at_most_count,
    build_schema,
    month_in_file_window,
)


def schema(ctx: ValidationContext):
    checks = {
        "snapshot_month": [month_in_file_window(ctx)],
        "items_owned": [at_least(0), at_most_count()],
        "items_entered": [at_least(0), at_most_count()],
    }
    return build_schema(EXTRACT, ctx, checks)


EXTRACT = Extract(
    source="einventarisasi",
    name="bmd_progress",
    description="Month-end progress per UPB of the inventory of Barang Milik Daerah (Peralatan dan Mesin).",
    key=("snapshot_month", "upb_code"),
    columns=(
        Column("snapshot_month", "month", "Month-end of the progress snapshot (YYYY-MM)"),
        Column("upb_code", "text", "Unit Pengelola Barang (UPB) code"),
        Column("pd_code", "text", "Perangkat Daerah the UPB belongs to (Pengguna Barang)"),
        Column("sk_tim", "bool", "Decree of the inventory team (SK Tim) issued"),
        Column("daftar_ruangan", "bool", "Room list (Daftar Ruangan) compiled"),
        Column("daftar_bmd", "bool", "List of the BMD to inventory (Daftar BMD) compiled"),
        Column("items_owned", "int", "BMD items the UPB owns (Peralatan dan Mesin)"),
        Column("items_entered", "int", "Items entered in the inventory worksheet (kertas kerja)"),
        Column("berita_acara", "bool", "Inventory minutes (Berita Acara) signed"),
        Column("sptjm", "bool", "Statement of absolute responsibility (SPTJM) signed"),
        Column("lhi", "bool", "Inventory result report (Laporan Hasil Inventarisasi) submitted"),
    ),
    schema=schema,
    snapshot=True,
)
