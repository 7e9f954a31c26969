"""Refuse every request that could change something: only GET and HEAD reach Datasette.

The database is already opened ``--immutable``; this makes a write attempt (Datasette's insert
and upsert endpoints, a canned write query, a POST from a page) an explicit 403 instead of an
error page, so nobody mistakes the refusal for a fault.
"""

from __future__ import annotations

from datasette import hookimpl

ALLOWED = {"GET", "HEAD"}
BODY = b"403 Forbidden: this case is served read-only; nothing can be changed from the browser\n"


@hookimpl
def asgi_wrapper(datasette):  # type: ignore[no-untyped-def]
    def wrap(app):  # type: ignore[no-untyped-def]
        async def read_only(scope, receive, send):  # type: ignore[no-untyped-def]
            if scope["type"] == "http" and scope.get("method", "GET") not in ALLOWED:
                headers = [
                    [b"content-type", b"text/plain; charset=utf-8"],
                    [b"allow", b"GET, HEAD"],
                ]
                await send({"type": "http.response.start", "status": 403, "headers": headers})
                await send({"type": "http.response.body", "body": BODY})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
