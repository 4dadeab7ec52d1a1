"""The HTTP request a piece of library code runs for: its id and the principal behind it.

The API's request middleware sets the context; the audit log of writes reads it. Context
variables follow a request into the worker threads that run its blocking calls (anyio's
``to_thread.run_sync`` copies the context), so the store's write methods see the request
that called them. Outside a request (the CLI, start-up) there is no context.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar, Token
from dataclasses import dataclass, field

from vic_semantic.access import Principal


@dataclass
class RequestContext:
    """One request: its id, and a function that finds its principal when first asked.

    The principal is resolved lazily because most requests write nothing and many carry no
    token, so the token registry is read only when a log line or an audit record needs it.
    """

    request_id: str
    resolve_principal: Callable[[], Principal | None]
    _principal: Principal | None = field(default=None, init=False)
    _resolved: bool = field(default=False, init=False)

    @property
    def principal(self) -> Principal | None:
        """The principal behind the request; None for a token that matched no stored one."""
        if not self._resolved:
            self._principal = self.resolve_principal()
            self._resolved = True
        return self._principal


_current: ContextVar[RequestContext | None] = ContextVar("vic_request", default=None)


def current_request() -> RequestContext | None:
    """Return the request this code runs for, or None outside a request."""
    return _current.get()


def enter_request(context: RequestContext) -> Token[RequestContext | None]:
    """Make ``context`` the current request; pass the returned token to ``leave_request``."""
    return _current.set(context)


def leave_request(token: Token[RequestContext | None]) -> None:
    _current.reset(token)
