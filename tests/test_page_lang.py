"""evaldash.page_lang on its own: only the HTML document is rewritten, and it stays a well-formed response."""

from __future__ import annotations

import gzip

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from evaldash import page_lang

DOC = '<!doctype html>\n<html lang="en">\n<head><title>x</title></head><body>' + "本文" * 400 + "</body></html>"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def page(request):
    return HTMLResponse(DOC)


async def streamed(request):
    async def chunks():
        for part in (DOC[:5], DOC[5:20], DOC[20:]):  # the tag split over two chunks
            yield part.encode()
    return StreamingResponse(chunks(), media_type="text/html")


async def data(request):
    return JSONResponse({"html": '<html lang="en">'})


async def zipped(request):
    return Response(gzip.compress(DOC.encode()), media_type="text/html", headers={"Content-Encoding": "gzip"})


def client(*inner: Middleware) -> TestClient:
    routes = [Route("/", page), Route("/streamed", streamed), Route("/data", data), Route("/zipped", zipped)]
    return TestClient(Starlette(routes=routes, middleware=[*page_lang.MIDDLEWARE, *inner]))


def test_a_page_load_gets_the_document_in_japanese_with_a_matching_length():
    for path in ("/", "/streamed"):
        r = client().get(path, headers=HTML)
        assert r.text.count('<html lang="ja">') == 1 and 'lang="en"' not in r.text
        if "content-length" in r.headers:
            assert int(r.headers["content-length"]) == len(r.content)


def test_gzip_further_in_is_asked_not_to_compress_the_document():
    r = client(Middleware(GZipMiddleware, minimum_size=10)).get("/", headers={**HTML, "Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and '<html lang="ja">' in r.text


def test_other_requests_and_responses_pass_untouched():
    c = client()
    assert c.get("/data", headers=HTML).json() == {"html": '<html lang="en">'}  # not HTML
    assert '<html lang="en">' in c.get("/", headers={"Accept": "application/json"}).text  # not a page load
    head = c.head("/", headers=HTML)
    assert head.status_code == 200 and head.content == b""
    r = c.get("/zipped", headers={**HTML, "Accept-Encoding": "identity"})  # already encoded by the app
    assert r.headers["content-encoding"] == "gzip"
