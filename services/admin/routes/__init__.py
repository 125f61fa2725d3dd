"""Every admin endpoint, in one list: what the API serves is visible here and nowhere else."""

from services.admin.endpoints import Endpoint
from services.admin.routes import auth, owner

ENDPOINTS: list[Endpoint] = [*auth.ENDPOINTS, *owner.ENDPOINTS]

__all__ = ["ENDPOINTS"]
