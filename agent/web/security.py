"""Request guards and response headers: Host check, access token, read-only sessions, CSRF, CSP with a nonce.

One ASGI middleware, so every route gets the same protection and none can forget it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
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
READ_COOKIE = "segscribe_read"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PUBLIC_PATHS = ("/login", "/static/")
#: The share link, also under a project (`/p/<name>/share/<token>`): public, its route checks the token itself.
SHARE_PATH = re.compile(r"^(?:/p/[^/]+)?/share/[^/]*$")
#: The only change a reader may ask for: signing out (it changes nothing on the server).
READER_POSTS = re.compile(r"^(?:/p/[^/]+)?/logout$")
READ_ONLY = "this is a read-only link: ask the owner for the access token to change anything"
EDITOR, READER = "editor", "reader"
MAX_FORM_BYTES = 1024 * 1024
FAILED_LOGIN_DELAY = 0.5


def csp(nonce: str) -> str:
    """The pages' policy: own scripts and styles only, inline script only with this request's nonce."""
    return ("default-src 'none'; " f"script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def session_value(token: str) -> str:
    """The auth cookie for a token: a keyed hash, so the token itself is never stored in the browser."""
    return hmac.new(token.encode(), b"segscribe-web-session", hashlib.sha256).hexdigest()


def read_session_value(token: str) -> str:
    """The reader's cookie for the read-only token: a keyed hash with its own label, never an editor's value."""
    return hmac.new(token.encode(), b"segscribe-web-read-session", hashlib.sha256).hexdigest()


def _same(given: str, expected: str | None) -> bool:
    return bool(expected) and hmac.compare_digest(given.encode(), (expected or "").encode())


def token_ok(settings: WebSettings, given: str) -> bool:
    return _same(given, settings.token)


def read_token_ok(settings: WebSettings, given: str) -> bool:
    return _same(given, settings.read_token)


def role_for(settings: WebSettings, given: str) -> str | None:
    """EDITOR for the access token, READER for the read-only token, None for anything else."""
    if token_ok(settings, given):
        return EDITOR
    return READER if read_token_ok(settings, given) else None


def sign_in(response: Response, settings: WebSettings, role: str) -> None:
    """Set the session cookie of `role` on `response` and drop the other one (one role per browser)."""
    if role == EDITOR:
        name, value, other = AUTH_COOKIE, session_value(settings.token or ""), READ_COOKIE
    else:
        name, value, other = READ_COOKIE, read_session_value(settings.read_token or ""), AUTH_COOKIE
    response.set_cookie(name, value, httponly=True, samesite="strict")
    response.delete_cookie(other)


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
        role = self._role(request)
        scope.setdefault("state", {}).update(csp_nonce=nonce, csrf=csrf, role=role)
        reject, receive = await self._guard(request, receive, csrf, role)
        send = self._headers(send, nonce, csrf if new_csrf else None)
        await (reject or self.app)(scope, receive, send)

    async def _guard(self, request: Request, receive: Receive, csrf: str,
                     role: str | None) -> tuple[Response | None, Receive]:
        host = request.headers.get("host", "")
        if self.settings.loopback and host not in self.allowed_hosts:
            # A page elsewhere that rebinds its DNS name to 127.0.0.1 arrives with its own Host name.
            return PlainTextResponse("unexpected Host header: open the address segscribe serve printed", 400), receive
        path = request.url.path
        public = path.startswith(PUBLIC_PATHS) or SHARE_PATH.match(path) is not None
        if role is None and not public:
            if request.method in SAFE_METHODS:
                target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
                return RedirectResponse(f"/login?next={target}", 303), receive
            return PlainTextResponse("sign in first: open /login and enter the access token", 401), receive
        if request.method in SAFE_METHODS:
            return None, receive
        if role == READER and not public and not READER_POSTS.match(path):
            return PlainTextResponse(READ_ONLY, 403), receive
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

    def _role(self, request: Request) -> str | None:
        """EDITOR, READER, or None when not signed in. Without an access token everyone is an editor."""
        token, read = self.settings.token, self.settings.read_token
        if not token:
            return EDITOR
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and (role := role_for(self.settings, auth[7:].strip())):
            return role
        if _same(request.cookies.get(AUTH_COOKIE, ""), session_value(token)):
            return EDITOR
        if read and _same(request.cookies.get(READ_COOKIE, ""), read_session_value(read)):
            return READER
        return None

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
