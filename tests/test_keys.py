"""One pseudonym key per warehouse: the first run records its fingerprint, another key is refused."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from kinerja import keys, warehouse

KEY_A = "first-pseudonym-key-0123456789"
KEY_B = "second-pseudonym-key-9876543210"


def test_the_fingerprint_is_an_hmac_of_a_fixed_label_keyed_by_the_key():
    key = KEY_A.encode()
    assert keys.fingerprint(key) == hmac.new(key, b"kinerja pseudonym key fingerprint v1", hashlib.sha256).hexdigest()
    assert keys.fingerprint(key) != keys.fingerprint(KEY_B.encode())


@pytest.mark.parametrize("engine_fixture", ["sqlite_engine", pytest.param("pg_engine", marks=pytest.mark.postgres)])
def test_the_first_claim_records_the_key_and_another_key_is_refused(engine_fixture, request):
    engine = request.getfixturevalue(engine_fixture)
    keys.check(engine, KEY_B.encode())  # nothing recorded yet: any key goes
    keys.claim(engine, KEY_A.encode(), "run-1")
    keys.claim(engine, KEY_A.encode(), "run-2")  # the same key again
    for refuse in (lambda: keys.claim(engine, KEY_B.encode(), "run-3"), lambda: keys.check(engine, KEY_B.encode())):
        with pytest.raises(keys.KeyMismatchError, match="kinerja rekey"):
            refuse()
    rows = warehouse.query(engine, f"SELECT * FROM {keys.TABLE}").to_dict("records")
    assert len(rows) == 1 and rows[0]["fingerprint"] == keys.fingerprint(KEY_A.encode())
    assert rows[0]["recorded_by"] == "run-1"
    assert KEY_A not in str(rows)  # never the key itself
