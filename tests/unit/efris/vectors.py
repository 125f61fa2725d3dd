"""Known-answer vectors for libs.efris, computed outside Python and pinned here.

- AES: FIPS-197 appendix C.1 (AES-128), plus `openssl enc -aes-128-ecb` for a JSON payload.
- RSA: a throwaway RSA-2048 test key (`openssl genpkey`) and `openssl dgst -sha1 -sign`
  signatures over the given content strings. The key signs nothing but these tests.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

FIPS197_KEY = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
FIPS197_PLAINTEXT = bytes.fromhex("00112233445566778899aabbccddeeff")
FIPS197_CIPHERTEXT = bytes.fromhex("69c4e0d86a7b0430d8cdb78070b4c55a")
# The second block PKCS#7 adds to a whole-block plaintext: 16 x 0x10, encrypted.
FIPS197_PAD_BLOCK = bytes.fromhex("954f64f2e4e86e9eee82d20216684899")

JSON_KEY = b"0123456789abcdef"
JSON_PAYLOAD = {"referenceNo": "SINV-2025-000123", "pageNo": "1"}
JSON_PLAIN_CONTENT = "eyJyZWZlcmVuY2VObyI6IlNJTlYtMjAyNS0wMDAxMjMiLCJwYWdlTm8iOiIxIn0="
JSON_AES_CONTENT = "RrFzW6xZ7bE/MBkSWnfVS6l8bJM0erx4UO4adqCipwIiX6J7qeRe5Gx/xjkKQtoD"
JSON_AES_SIGNATURE = (
    "Dp3GUu6YO6KmThuDXonxuC+YiGKcgsbu+w6uuRH9oCUxTc9ev1ALGNAb+rjcc1q2/HjDo9Y9ScTf50iOueSKMs8a"
    "AeaKHDrXFT8omgWYR5NX5xzp8wilWQLI6GjqbMVP+3fna5H7wGgoWbfE1XTGm9P/dazHQ8RcIVnas7FIZm2Sjjnt"
    "NeDvDjbDseHTeiAU2uaGHjIX8vGfm7fLAYCnn9VzyayKBnmWSrqJcMeKBlIvpHiok8wp8eZbIjnRzgihq2n7cye6"
    "6fjPebt0Quviw1z03wULRRHU0/Y//W1xgIgNOn4YcebGkN0bZ8hrqzZvKBXt3r4dlL6coeLF6KOhtw=="
)

SIGNED_TEXT = "eyJpbnZvaWNlTm8iOiIzMjUwMTIzNDU2NzgifQ=="
SIGNED_TEXT_SIGNATURE = (
    "gxJkWE51Tn61biJ7H8RBHHl6HVsMLqh8lRrOpBsYaTLygGHytcAEn37R+dLkIb5XIPJyaRsyPr6IXWpKT3TlN0E2"
    "l6RrbAsc8FoyzDnwfgCi0ll/f/IP7ngkTXVcjT323eXGsJXc0//Uv6glRKL9duLEboLerZjVr+x5ycvkmsb86tm5"
    "5iAv1wNc1WGFGFmsuLutiR2aqvrTSH2fYpnZJ0dVTLZSdGwQOAIZcwP0cDD1XI2WVVg+p7CHSkzKbLkZ42785HnJ"
    "nwP4DHYphs5nK4BJrdo2hODoWIhz13zeFhKJ1H5W6glYRoFAG8tjnhQ6R4XB4EsFKlBRvQVL6v6b6A=="
)

TEST_KEY_PEM = b"""\
-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA5q7gL8/dTOFg2U0LN0iN5fMk78bcuF7FyHfiW8VMqu3mVO8i
MZlvOsNWFGn4NKoUo54zW2Vh3LSSh3Z1Bef9yzD3bMfT/jy7O4CvCNnGqXuLTJhm
+xLgKdNk5GMQBtttzKz/8jkbBhzxZYu+NL2HiHdf5HLSjRAchAGEFmeSDF+Z/LIu
E+tOmV/RHZVud83oTj9s3/JnIx/wS4cHkyJw+y5+cu2Rwu64zV9v2xJXps/KA+mZ
bg4uPR4sloe3lBpLyfUvSkc4hUjcnYIsTrsfTA0vanWfVuZkLPa1whlW3pRScMWb
AoArkfH6Cd+8REFbvGx6X1lO9tWBKnca8BaDKwIDAQABAoIBAGbFL/F9DJ1spyYI
Md/+PeFdEm6UTM8CweCOsFSsMHzSIdRi+PvZ3Hj0f0v27fIgd7NxDnZAU3ntJH6f
IoFwGlxEw2Y+HE7epZdbvB8YTm5BMQz9tJtUjHN1zzQEgiZb6a3OwPQbxtNRX6Ya
vLFoYpJEhH8VPIJF1D5nIn6Mw78om7izYQIQsbpbEW1xbUpgm1A0MTDs0u4NxjRk
GC7Ba/s6FFvyNsud9FxyjbmrjZWwesrQQKoEF6ehcArTP1Z9uY1QKMUNxjNCpYOM
WJTfp08NjQEoO/BxqxHvnwXYBSoUfpu1ZibkbVXNiWeGRzsZXluH/xVY+ZZbSIPe
2y8q3aECgYEA9inqFHjNvGUy/LtEBtNN8do+W08IMK2ln1t7oebErvcjcPdnipHd
cZzce/2Al6slcYTJ62iHgXrl4hRDZdmMmqN7PCjNky1ZtOmQuFzWhPiK+fMMWfAs
Mm4unPlIUK3pInlXyqr9X3ihn1qciZvz/flyo+1s9uXFhkd2y0QatVECgYEA7+aa
8n8jrOtm/WV5yu7zNlstbm1cRLm9TTW2bhMLE+UJ9dW90kB3YcVHgzz/gX3Biqol
5qAm/gXs/n8d2j2J16r7NQwBnAFXsH/58HCtMjMhKfKkyaA7QU/cLQsTeho+OtiK
BZQnfmvCv7NTKqYfWz7/HFK54Dav6O/uSJ9CwbsCgYEAxyvOq9W6kO5IvNhACE27
yS3OOk7Nz6UQVsnMVIjFJtPrpyFmc2XmCGDkvKW2AAGIADtyrLgcu5TWn3/JsIS/
EPepZFmXS7fr10cLwz/KijgXKnmOys5a1Er2CChibHTqJuyLLf3/l9mg27CS63x1
hE7qhNw7x+DNWwJDid+GxKECgYAHJEdSlsRaHnvnaUDx8KEe6iH1Gp5XkWv4Q3QV
3M1En1nnjqBjBPZI29WgK42zrim31g7gyb2/bC+8983MtG5JFFb8Ikpd+ZBBud2X
8dLGHs2K8SVEt1dsP1Nfp+fBh8x4df/N4LY4Rj768/yy1VUzozF3B2NvMFGWTqY6
VTtohwKBgAFqj8oYw61FrzaZVO35+cl1B/JTZPWhJ0VAYz6RXcw7CfWLETUKJPgB
PsELVLg6n3lbOoVslXo11cm8Z8HUsIThsYJof3fJ2hxdA+hpdJb97FT3RB602Eb/
9KPJNzIdzHKXJ30yc77LWVjgge+eitW7+pxdW6ER+V8zb/ald+wU
-----END RSA PRIVATE KEY-----
"""


def test_key() -> RSAPrivateKey:
    """The pinned RSA-2048 test key."""
    key = load_pem_private_key(TEST_KEY_PEM, password=None)
    assert isinstance(key, RSAPrivateKey)
    return key
