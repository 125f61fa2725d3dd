from __future__ import annotations

import pytest

from libs.crypto import (
    CryptoError,
    SecretBox,
    hash_password,
    new_api_key,
    verify_api_key,
    verify_password,
)


def test_secret_box_decrypts_with_an_old_key_after_rotation_and_rotates_to_the_new_one():
    old, new = SecretBox.generate_key(), SecretBox.generate_key()
    ciphertext = SecretBox([old]).encrypt("xero-refresh-token")
    rotated_box = SecretBox([new, old])
    assert rotated_box.decrypt(ciphertext) == "xero-refresh-token"
    rotated = rotated_box.rotate(ciphertext)
    assert SecretBox([new]).decrypt(rotated) == "xero-refresh-token"
    with pytest.raises(CryptoError):
        SecretBox([new]).decrypt(ciphertext)


def test_tampered_ciphertext_and_malformed_keys_are_errors_not_crashes():
    box = SecretBox([SecretBox.generate_key()])
    ciphertext = bytearray(box.encrypt("s"))
    ciphertext[-5] ^= 1
    with pytest.raises(CryptoError):
        box.decrypt(bytes(ciphertext))
    with pytest.raises(CryptoError, match="malformed"):
        SecretBox.from_setting("not-a-fernet-key")
    assert "keys=1" in repr(box)


def test_password_hash_verifies_only_the_right_password():
    stored = hash_password("correct horse")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "correct horse")
    assert not verify_password(stored, "wrong horse")
    assert not verify_password("garbage", "correct horse")


def test_api_key_is_stored_only_as_a_digest():
    key = new_api_key("sy")
    assert key.plaintext.startswith(key.prefix + "_")
    assert key.plaintext not in repr(key)
    assert verify_api_key(key.plaintext, key.digest)
    assert not verify_api_key(key.plaintext + "x", key.digest)
