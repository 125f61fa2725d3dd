from __future__ import annotations


class EfrisWireError(Exception):
    """EFRIS wire data could not be built or read (see the package docstring for the tree)."""


class EfrisCryptoError(EfrisWireError):
    """A key, ciphertext, padding, base64 text or signature is not what the protocol needs."""


class EfrisProtocolError(EfrisWireError):
    """A body is not an EFRIS envelope, or its content is not the JSON it should be."""
