"""The per-client query limit in the API: who the client is, and holding its slot per query.

A client is the member behind a request's token (all of the member's tokens count
together), another token by its id, or, without a token, the remote address. Behind a
reverse proxy the address is the proxy's, unless the proxy's address is in uvicorn's
``FORWARDED_ALLOW_IPS`` (default ``127.0.0.1,::1``), which makes uvicorn read the client's
address from X-Forwarded-For.

Every route that runs a query on a query worker (or sends it to the remote store) takes a
slot first, and gives it back only when the query no longer runs. A streamed result keeps
its slot until the stream is closed, and ``ClosingStreamingResponse`` closes it as soon as
the client disconnects.

NOTE: the counts are per API process. Under several uvicorn worker processes, a client may
run up to the limit in each, just as each process has its own pool of query workers.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Iterator

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from vic_semantic.access import Principal, Role
from vic_semantic.query_slots import ClientQuerySlots, QuerySlot
from vic_semantic.store.streaming import close_chunks


def client_key(request: Request) -> str:
    """Return the client a request counts against: member:<slug>, token:<id> or address:<ip>.

    The principal is the one ``require_read`` stored on the request. Every route runs that
    check first, so the token is not checked twice.
    """
    principal = getattr(request.state, "principal", None)
    if isinstance(principal, Principal) and principal.role is not Role.ANONYMOUS:
        if principal.member:
            return f"member:{principal.member}"
        return f"token:{principal.token_id or principal.role.value}"
    address = request.client.host if request.client else "unknown"
    return f"address:{address}"


def acquire_query_slot(request: Request) -> QuerySlot:
    """Take a query slot of the request's client, or raise TooManyQueriesError (429) at once."""
    slots: ClientQuerySlots = request.app.state.query_slots
    return slots.acquire(client_key(request))


async def holding_slot(
    slot: QuerySlot, chunks: AsyncGenerator[bytes, None]
) -> AsyncGenerator[bytes, None]:
    """Yield ``chunks``, then close them and release ``slot`` when this generator ends or closes.

    The event loop closes a started async generator that is dropped unclosed, so the slot
    comes back even then.
    """
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        try:
            await chunks.aclose()
        finally:
            slot.release()


def holding_slot_blocking(slot: QuerySlot, start: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
    """Yield the chunks of ``start()``, then close them and release ``slot`` when done.

    A generator that never started runs no ``finally``, so the caller releases ``slot``
    itself when the first chunk was never taken.
    """
    chunks: Iterator[bytes] | None = None
    try:
        chunks = start()
        yield from chunks
    finally:
        try:
            if chunks is not None:
                close_chunks(chunks)
        finally:
            slot.release()


class ClosingStreamingResponse(StreamingResponse):
    """A streamed response that closes its chunks as soon as it is sent or its client is gone.

    Starlette (1.10) stops iterating when the client disconnects but leaves the generator
    suspended until it is garbage-collected, which a reference cycle can delay, and a query
    slot must come back at once.
    """

    def __init__(self, chunks: AsyncGenerator[bytes, None], media_type: str) -> None:
        super().__init__(chunks, media_type=media_type)
        self._chunks = chunks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._chunks.aclose()
