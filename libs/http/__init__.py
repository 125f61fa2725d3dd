"""Calling providers over HTTP: one answer type, one error tree, one request function.

    ProviderError                 a provider call did not give a usable answer
    ├── ProviderUnavailable       timeout, connection failure, 5xx, 429 (`retry_after` when told;
    │                             `sent` False only when it never reached the provider)
    ├── ProviderRejected          a 4xx a retry cannot fix; `status`, `code` (the provider's own)
    │   ├── NotFound              404, or the provider's "object not found"
    │   └── AuthExpired           401: the access token is expired or revoked
    └── MalformedResponse         the answer is not the JSON the protocol promises

Every error carries `provider`; none carries a token, a request body or a response
body beyond the provider's own short error message.
"""

from libs.http._client import Answer, ProviderHttp
from libs.http._errors import (
    AuthExpired,
    MalformedResponse,
    NotFound,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    retry_after_of,
)

__all__ = [
    "Answer",
    "AuthExpired",
    "MalformedResponse",
    "NotFound",
    "ProviderError",
    "ProviderHttp",
    "ProviderRejected",
    "ProviderUnavailable",
    "retry_after_of",
]
