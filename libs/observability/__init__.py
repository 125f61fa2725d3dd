"""Logs, metrics and the health listener every service runs.

- `configure_logging(service, level)`: structlog JSON lines on stdout with bound
  context (service, event_id, event_type, tenant_id, attempt).
- `metrics`: the Prometheus metrics of the kernel (see `_metrics`).
- `HealthServer`: aiohttp listener with `/metrics`, `/healthz`, `/readyz` and the
  service's own routes.
"""

from libs.observability import _metrics as metrics
from libs.observability._health import HealthServer, ReadinessCheck
from libs.observability._logging import configure_logging, get_logger

__all__ = ["HealthServer", "ReadinessCheck", "configure_logging", "get_logger", "metrics"]
