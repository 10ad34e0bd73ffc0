"""One module per source extract: its columns, natural key and pandera checks (SPEC section 4).

Each extract is defined here once; its pandera schema is built from the definition, and its
staging DDL (``sql/staging/``) and data dictionary (``docs/warehouse.md``) are tested against it.
"""
