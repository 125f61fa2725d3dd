"""The URA EFRIS system-to-system wire protocol (efris.md): envelope, crypto and clocks.

Both sides use it: the fiscalizer's EFRIS client and the sandbox's EFRIS simulator.

    POST <url>   {"data": {content, signature, dataDescription}, "globalInfo": {...},
                  "returnStateInfo": {returnCode, returnMessage}}

    content    base64( [gzip]( [AES-128-ECB/PKCS#7(session key)]( UTF-8 JSON ) ) )
    signature  base64( RSA-PKCS1v15-SHA1(device private key, ASCII(content)) )
    T104       passowrdDes = base64( RSA-PKCS1v15-encrypt(device public key, base64(aes key)) )

Errors:

    EfrisWireError            wire data could not be built or read
    ├── EfrisCryptoError      bad key, padding, base64 or gzip; a .pfx that does not open
    └── EfrisProtocolError    not an envelope; content that is not JSON; a malformed time

`verify` never raises: a malformed signature is simply not a valid one. Nothing here
logs, and no error message carries a key, a password or payload plaintext.
"""

from libs.efris._aes import AES_KEY_BYTES, aes_decrypt, aes_encrypt
from libs.efris._base64 import b64decode, b64encode
from libs.efris._content import (
    ENCRYPTED,
    PLAIN,
    DataDescription,
    open_content,
    seal_content,
)
from libs.efris._envelope import (
    GlobalInfo,
    ParsedEnvelope,
    envelope,
    new_exchange_id,
    parse_envelope,
)
from libs.efris._errors import EfrisCryptoError, EfrisProtocolError, EfrisWireError
from libs.efris._keys import DeviceKeys, load_device_keys
from libs.efris._rsa import open_aes_key, seal_aes_key, sign, verify
from libs.efris._time import (
    KAMPALA,
    efris_time,
    kampala_time,
    parse_efris_time,
    parse_kampala_time,
)

__all__ = [
    "AES_KEY_BYTES",
    "ENCRYPTED",
    "KAMPALA",
    "PLAIN",
    "DataDescription",
    "DeviceKeys",
    "EfrisCryptoError",
    "EfrisProtocolError",
    "EfrisWireError",
    "GlobalInfo",
    "ParsedEnvelope",
    "aes_decrypt",
    "aes_encrypt",
    "b64decode",
    "b64encode",
    "efris_time",
    "envelope",
    "kampala_time",
    "load_device_keys",
    "new_exchange_id",
    "open_aes_key",
    "open_content",
    "parse_efris_time",
    "parse_envelope",
    "parse_kampala_time",
    "seal_aes_key",
    "seal_content",
    "sign",
    "verify",
]
