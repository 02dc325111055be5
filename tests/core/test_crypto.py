"""SM4-GCM encryption and the HMAC-SM3 blind index (core/crypto.py), without a database."""
import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import checks, crypto

ROOT = Path(__file__).resolve().parents[2]
RING = crypto.load_keyring(data_keys="1:" + "11" * 16, current="1", index_key="22" * 32)
ID = "43012119900307123X"


def test_ciphertext_names_its_key_and_differs_each_time():
    first, second = crypto.encrypt(ID, RING), crypto.encrypt(ID, RING)
    assert first.startswith("sm4:1:") and first != second
    assert ID not in first and crypto.decrypt(first, RING) == crypto.decrypt(second, RING) == ID


def test_sm4_is_the_cipher():
    """The payload is nonce | SM4-GCM ciphertext | tag, decryptable by any SM4 implementation."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    raw = base64.b64decode(crypto.encrypt(ID, RING).split(":", 2)[2])
    nonce, body, tag = raw[:12], raw[12:-16], raw[-16:]
    decryptor = Cipher(algorithms.SM4(bytes.fromhex("11" * 16)), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(b"1")
    assert (decryptor.update(body) + decryptor.finalize()).decode() == ID


@pytest.mark.parametrize("tamper", [
    lambda t: t[:-6] + ("A" if t[-6] != "A" else "B") + t[-5:],  # a flipped ciphertext byte
    lambda t: t[:20],                                              # truncated
    lambda t: t.replace("sm4:1:", "sm4:9:"),                        # unknown key id
    lambda t: t + "!",                                             # not base64
])
def test_tampered_ciphertext_is_a_clear_error(tamper):
    token = crypto.encrypt(ID, RING)
    with pytest.raises(crypto.DecryptionError, match="密文|密钥"):
        crypto.decrypt(tamper(token), RING)


def test_a_token_relabelled_with_another_key_id_does_not_decrypt():
    both = crypto.load_keyring(data_keys=f"1:{'11' * 16},2:{'11' * 16}", current="2",
                               index_key="22" * 32)
    token = crypto.encrypt(ID, both)
    with pytest.raises(crypto.DecryptionError, match="篡改"):
        crypto.decrypt(token.replace("sm4:2:", "sm4:1:"), both)


def test_blind_index_normalises_spaces_and_the_x():
    assert crypto.blind_index(" 430121 19900307123x ", RING) == crypto.blind_index(ID, RING)
    assert crypto.blind_index(ID, RING) != crypto.blind_index("430121199003071238", RING)
    assert len(crypto.blind_index(ID, RING)) == 64
    assert crypto.blind_index("", RING) is None and crypto.blind_index(None, RING) is None


def test_blind_index_depends_on_its_own_key():
    other = crypto.load_keyring(data_keys="1:" + "11" * 16, current="1", index_key="33" * 32)
    assert crypto.blind_index(ID, RING) != crypto.blind_index(ID, other)


@pytest.mark.parametrize("variables, named", [
    (dict(data_keys="", current="", index_key=""), "CANBAO_DATA_KEYS"),
    (dict(data_keys="1:" + "11" * 16, current="1", index_key=""), "CANBAO_INDEX_KEY"),
    (dict(data_keys="1:" + "11" * 16, current="2", index_key="22" * 32), "CANBAO_DATA_KEY_ID"),
    (dict(data_keys="1:abc", current="1", index_key="22" * 32), "CANBAO_DATA_KEYS"),
    (dict(data_keys="1:" + "11" * 16, current="1", index_key="22"), "CANBAO_INDEX_KEY"),
])
def test_missing_or_malformed_keys_name_the_variable(variables, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        crypto.load_keyring(**variables)


def test_check_refuses_debug_off_without_keys(settings):
    settings.DEBUG = False
    settings.CANBAO_DATA_KEYS = settings.CANBAO_DATA_KEY_ID = settings.CANBAO_INDEX_KEY = ""
    errors = checks.encryption_keys()
    assert [e.id for e in errors] == ["core.E001"] and "CANBAO_DATA_KEYS" in errors[0].msg


def test_check_refuses_the_development_keys_with_debug_off(settings):
    settings.DEBUG = False
    settings.CANBAO_DATA_KEYS, settings.CANBAO_DATA_KEY_ID, settings.CANBAO_INDEX_KEY = (
        crypto.DEV_DATA_KEYS, crypto.DEV_DATA_KEY_ID, crypto.DEV_INDEX_KEY)
    assert [e.id for e in checks.encryption_keys()] == ["core.E002"]
    settings.DEBUG = True
    assert checks.encryption_keys() == []


def test_manage_check_fails_with_debug_off_and_no_keys_naming_the_variable():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CANBAO_")}
    env.update(DJANGO_DEBUG="false", DJANGO_SECRET_KEY="s" * 60)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "CANBAO_DATA_KEYS" in result.stderr
