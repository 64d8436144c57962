"""Every page of the dashboard is served as Japanese: `<html lang="ja">` from the first byte.

Streamlit's index.html declares `lang="en"` and its frontend never changes it (streamlit/streamlit#15726),
so Chrome offers to translate the page from English and screen readers read Japanese with an English
voice. dashboard.py serves the app through `st.App` with this middleware, which rewrites that one
attribute in the HTML document (the same document for every page's URL) before it leaves the server.
Setting it from a component instead would only happen after the page has connected.
"""

from __future__ import annotations

from starlette.middleware import Middleware

_SERVED = b'<html lang="en">'
_WANTED = b'<html lang="ja">'


def _for_document(scope) -> dict:
    """The request as the app should see it: without gzip, so the HTML can be rewritten.

    Only a browser's page load asks for text/html; the document is a few kB.
    """
    headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"]
    extensions = {k: v for k, v in (scope.get("extensions") or {}).items() if k != "http.response.pathsend"}
    return {**scope, "headers": headers, "extensions": extensions}


class JapanesePages:
    """ASGI middleware: the HTML document declares `lang="ja"`; every other response passes untouched."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        accept = b",".join(v for k, v in scope.get("headers", ()) if k.lower() == b"accept")
        if scope["type"] != "http" or scope["method"] != "GET" or b"text/html" not in accept:
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        body: list[bytes] = []

        async def rewrite(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = dict((k.lower(), v) for k, v in message.get("headers", ()))
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                if is_html and b"content-encoding" not in headers:
                    start = message  # held back until the whole body is here
                    return
            elif message["type"] == "http.response.body" and start is not None:
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                text = b"".join(body).replace(_SERVED, _WANTED, 1)
                headers = [(k, v) for k, v in start.get("headers", ()) if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(text)).encode()))
                await send({**start, "headers": headers})
                message = {"type": "http.response.body", "body": text, "more_body": False}
            await send(message)

        await self.app(_for_document(scope), receive, rewrite)


MIDDLEWARE = [Middleware(JapanesePages)]
