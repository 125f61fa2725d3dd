"""The one way every service starts: `python -m services.<name>` calls `main(SPEC)`.

    # services/<name>/__main__.py
    from libs.service import main
    from services.<name>.bootstrap import SPEC

    main(SPEC)

`main` loads and validates settings (exit 2 naming the bad variable),
configures JSON logging and uvloop, opens the platform (broker connection,
publisher, database pool), lets the service's bootstrap build its deps, then
serves `/metrics`, `/healthz`, `/readyz` and the service's routes, consumes its
subscription table with a watchdog, relays its outbox, and on SIGTERM/SIGINT
shuts down gracefully in reverse order.
"""

from libs.service._platform import Platform, StartupError, open_platform
from libs.service._runner import main, serve
from libs.service._spec import ServiceSpec

__all__ = ["Platform", "ServiceSpec", "StartupError", "main", "open_platform", "serve"]
