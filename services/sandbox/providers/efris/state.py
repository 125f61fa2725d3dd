"""The simulated EFRIS server's memory: devices, goods, issued documents, credit-note applications,
and the server's own RSA key (what it signs responses and T104's `sign` with)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from services.sandbox.providers.efris.applications import Applications
from services.sandbox.providers.efris.catalog import Catalog
from services.sandbox.providers.efris.devices import Devices
from services.sandbox.providers.efris.ledger import Ledger

SERVER_KEY_BITS = 2048


class EfrisServer:
    """Everything the EFRIS simulator keeps; `reset` forgets it (the server key survives)."""

    def __init__(self) -> None:
        self.devices = Devices()
        self.catalog = Catalog()
        self.ledger = Ledger()
        self.applications = Applications()
        self._server_key: RSAPrivateKey | None = None

    @property
    def server_key(self) -> RSAPrivateKey:
        """The server's signing key, made on first use (most sandboxes never talk EFRIS)."""
        if self._server_key is None:
            self._server_key = rsa.generate_private_key(
                public_exponent=65537, key_size=SERVER_KEY_BITS
            )
        return self._server_key

    def reset(self) -> None:
        """No devices, goods, documents or applications."""
        self.devices.reset()
        self.catalog.reset()
        self.ledger.reset()
        self.applications.reset()
