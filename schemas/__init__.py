"""One module per source extract: its columns, natural key and pandera checks (SPEC section 4)."""
