"""Request guards and response headers: Host check, access token, CSRF, CSP with a per-request nonce.

One ASGI middleware, so every route gets the same protection and none can forget it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from segscribe.web.settings import WebSettings

CSRF_COOKIE = "segscribe_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
AUTH_COOKIE = "segscribe_auth"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = ("/login", "/static/")
MAX_FORM_BYTES = 1024 * 1024
FAILED_LOGIN_DELAY = 0.5


def csp(nonce: str) -> str:
    """The pages' policy: own scripts and styles only, inline script only with this request's nonce."""
    return ("default-src 'none'; " f"script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def session_value(token: str) -> str:
    """The auth cookie for a token: a keyed hash, so the token itself is never stored in the browser."""
    return hmac.new(token.encode(), b"segscribe-web-session", hashlib.sha256).hexdigest()


def token_ok(settings: WebSettings, given: str) -> bool:
    return bool(settings.token) and hmac.compare_digest(given.encode(), (settings.token or "").encode())


async def failed_login_pause() -> None:
    """Slow down guessing a little (the token is long; this only blunts scripted attempts)."""
    await asyncio.sleep(FAILED_LOGIN_DELAY)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, settings: WebSettings) -> None:
        self.app = app
        self.settings = settings
        hosts = {"127.0.0.1", "localhost", "[::1]", settings.host}
        self.allowed_hosts = hosts | {f"{h}:{settings.port}" for h in hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        nonce = secrets.token_urlsafe(16)
        csrf = request.cookies.get(CSRF_COOKIE) or ""
        new_csrf = len(csrf) < 20
        csrf = secrets.token_urlsafe(32) if new_csrf else csrf
        scope.setdefault("state", {}).update(csp_nonce=nonce, csrf=csrf)
        reject, receive = await self._guard(request, scope, receive, csrf)
        send = self._headers(send, nonce, csrf if new_csrf else None)
        await (reject or self.app)(scope, receive, send)

    async def _guard(self, request: Request, scope: Scope, receive: Receive,
                     csrf: str) -> tuple[Response | None, Receive]:
        host = request.headers.get("host", "")
        if self.settings.loopback and host not in self.allowed_hosts:
            # A page elsewhere that rebinds its DNS name to 127.0.0.1 arrives with its own Host name.
            return PlainTextResponse("unexpected Host header: open the address segscribe serve printed", 400), receive
        if not self._authenticated(request):
            if request.method in SAFE_METHODS:
                target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
                return RedirectResponse(f"/login?next={target}", 303), receive
            return PlainTextResponse("sign in first: open /login and enter the access token", 401), receive
        if request.method in SAFE_METHODS:
            return None, receive
        if not self._same_origin(request):
            return PlainTextResponse("cross-site request refused", 403), receive
        given = request.headers.get(CSRF_HEADER, "")
        if not given and request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body, receive = await _buffer(receive)
            if body is None:
                return PlainTextResponse("form too large", 413), receive
            given = (parse_qs(body.decode("latin-1")).get(CSRF_FIELD) or [""])[0]
        if not given or not hmac.compare_digest(given.encode(), csrf.encode()) or CSRF_COOKIE not in request.cookies:
            return PlainTextResponse("missing or stale CSRF token: reload the page and try again", 403), receive
        return None, receive

    def _authenticated(self, request: Request) -> bool:
        token = self.settings.token
        if not token or request.url.path.startswith(PUBLIC_PATHS):
            return True
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and token_ok(self.settings, auth[7:].strip()):
            return True
        return hmac.compare_digest(request.cookies.get(AUTH_COOKIE, "").encode(), session_value(token).encode())

    @staticmethod
    def _same_origin(request: Request) -> bool:
        if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return False
        origin = request.headers.get("origin")
        return origin is None or urlsplit(origin).netloc == request.headers.get("host", "")

    def _headers(self, send: Send, nonce: str, set_csrf: str | None) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = Headers(raw=message["headers"])
                extra: list[tuple[bytes, bytes]] = []
                defaults = {"content-security-policy": csp(nonce), "x-content-type-options": "nosniff",
                            "referrer-policy": "same-origin", "x-frame-options": "DENY",
                            "cross-origin-opener-policy": "same-origin", "cache-control": "no-store"}
                for k, v in defaults.items():
                    if k not in headers:
                        extra.append((k.encode(), v.encode()))
                if set_csrf:
                    cookie = f"{CSRF_COOKIE}={set_csrf}; Path=/; HttpOnly; SameSite=Strict"
                    extra.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": list(message["headers"]) + extra}
            await send(message)

        return wrapped


async def _buffer(receive: Receive) -> tuple[bytes | None, Receive]:
    """Read a small request body and hand on a receive that replays it (None when over MAX_FORM_BYTES)."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        size += len(chunks[-1])
        more = message.get("more_body", False)
        if size > MAX_FORM_BYTES:
            return None, receive
    body = b"".join(chunks)
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay
