import pytest

from services.chassis.personal_data import (
    PersonalDataError,
    Sealer,
    mask_id_number,
    new_key,
    sealer_from_config,
)


def test_sealed_values_open_and_hide_the_value():
    sealer = Sealer(new_key(), new_key())
    token = sealer.seal("11010519491231002X")
    assert "11010519491231002X" not in token
    assert sealer.unseal(token) == "11010519491231002X"
    assert sealer.seal("11010519491231002X") != token  # fresh nonce each time


def test_rotation_keeps_old_values_readable_and_reseals_them_under_the_new_key():
    old, new, index = new_key(), new_key(), new_key()
    token = Sealer(old, index).seal("北京市朝阳区")
    rotated = Sealer(f"{new},{old}", index)
    assert rotated.unseal(token) == "北京市朝阳区"
    assert not rotated.is_current(token)
    resealed = rotated.reseal(token)
    assert rotated.is_current(resealed)
    assert Sealer(new, index).unseal(resealed) == "北京市朝阳区"  # the old key can now go
    with pytest.raises(PersonalDataError):
        Sealer(new, index).unseal(token)


def test_blind_index_is_keyed_and_ignores_case_and_spaces():
    key = new_key()
    a, b = Sealer(new_key(), key), Sealer(new_key(), key)
    assert a.blind_index(" 11010519491231002x ") == b.blind_index("11010519491231002X")
    assert Sealer(new_key(), new_key()).blind_index("11010519491231002X") != a.blind_index("11010519491231002X")


def test_masking_shows_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("12345") == "*****"


def test_missing_or_bad_keys_refuse_to_start():
    with pytest.raises(PersonalDataError, match="PERSONAL_DATA_KEYS"):
        sealer_from_config({"BLIND_INDEX_KEY": "k"})
    with pytest.raises(PersonalDataError, match="BLIND_INDEX_KEY"):
        sealer_from_config({"PERSONAL_DATA_KEYS": new_key()})
    with pytest.raises(PersonalDataError, match="not a Fernet key"):
        sealer_from_config({"PERSONAL_DATA_KEYS": "not-a-key", "BLIND_INDEX_KEY": "k"})
