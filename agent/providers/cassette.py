"""Record/replay of provider HTTP traffic ("cassettes") for offline tests.

A cassette is a JSON list of exchanges::

    [{"request": {"method": "POST", "url": "...", "body": {...}},
      "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": {...}}}]

An exchange may carry `"error": "ConnectError"` (any httpx exception class
name) instead of a response, to replay a network failure.

`MockTransportFromCassette` replays a cassette through `httpx2.MockTransport`
(what the `anthropic` SDK uses) or `httpx.MockTransport` (the OpenAI-compatible
provider), in order or matched by request-body hash. `RecordingTransport`
wraps a real transport and writes the cassette; credentials never reach the
file: only method, URL and body of requests are kept, response headers are
allow-listed, and every known secret or key-looking string is replaced by
`[REDACTED]` before writing, and absolute local paths (a server's traceback, a
model file) keep only their last three parts after `[PATH]/`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import httpx
import httpx2

from segscribe.errors import CassetteError
from segscribe.files import atomic_write

Flavor = Literal["httpx2", "httpx"]
REDACTED = "[REDACTED]"
SECRET_HEADERS = ("x-api-key", "authorization", "api-key", "proxy-authorization")
KEPT_RESPONSE_HEADERS = ("content-type", "retry-after", "request-id", "x-request-id", "x-should-retry")
_KEY_LIKE = re.compile(r"sk-ant-[A-Za-z0-9_\-]+|sk-[A-Za-z0-9_\-]{16,}|Bearer\s+[A-Za-z0-9._\-]+")
# Absolute paths of the recording machine (a server's traceback, a model file): only the last parts are kept.
_LOCAL_PATH = re.compile(r"(?<![\w.:/])/(?:home|root|Users|work|tmp|opt|usr|var|srv|mnt|private|data)"
                         r"(?:/[^\s\"'<>/\\]+)+")




def scrub(value: Any, secrets: Iterable[str] = ()) -> Any:
    """A copy of `value` (JSON-like) with secrets and key-looking strings replaced."""
    known = [s for s in secrets if s]
    if isinstance(value, str):
        for secret in known:
            value = value.replace(secret, REDACTED)
        return _LOCAL_PATH.sub(_short_path, _KEY_LIKE.sub(REDACTED, value))
    if isinstance(value, dict):
        return {k: scrub(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v, known) for v in value]
    return value


def _short_path(match: re.Match[str]) -> str:
    return "[PATH]/" + "/".join([p for p in match.group(0).split("/") if p][-3:])


def header_secrets(headers: Any) -> list[str]:
    """Secret values carried by request headers, with and without a `Bearer ` prefix."""
    out: list[str] = []
    for name in SECRET_HEADERS:
        value = headers.get(name)
        if value:
            out.append(value)
            out.append(value.removeprefix("Bearer ").strip())
    return out


def body_json(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


def body_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sanitized_request(request: Any, secrets: Iterable[str] = ()) -> dict[str, Any]:
    known = [*secrets, *header_secrets(request.headers)]
    return {
        "method": request.method,
        "url": scrub(str(request.url), known),
        "body": scrub(body_json(request.content), known),
    }


class CassetteReplayer:
    """A MockTransport handler answering from a cassette; `requests` keeps what it was sent."""

    def __init__(self, path: str | Path, *, flavor: Flavor = "httpx2", match: str = "order") -> None:
        self.path = Path(path)
        self.exchanges: list[dict[str, Any]] = json.loads(self.path.read_text(encoding="utf-8"))
        self.flavor = flavor
        self.match = match
        self.requests: list[dict[str, Any]] = []
        self._used: set[int] = set()
        self._lock = threading.Lock()

    def __call__(self, request: Any) -> Any:
        entry = sanitized_request(request)
        with self._lock:
            self.requests.append(entry)
            index = self._pick(entry)
            self._used.add(index)
        exchange = self.exchanges[index]
        lib = _lib(self.flavor)
        if "error" in exchange:
            raise getattr(lib, exchange["error"])(f"replayed {exchange['error']}", request=request)
        resp = exchange["response"]
        body = resp.get("body")
        content = body.encode("utf-8") if isinstance(body, str) else json.dumps(body).encode("utf-8")
        return lib.Response(resp["status"], headers=resp.get("headers") or {}, content=content)

    @property
    def remaining(self) -> int:
        return len(self.exchanges) - len(self._used)

    def _pick(self, entry: dict[str, Any]) -> int:
        free = [i for i in range(len(self.exchanges)) if i not in self._used]
        if self.match == "body":
            wanted = body_hash(entry["body"])
            free = [i for i in free if body_hash(self.exchanges[i]["request"].get("body")) == wanted]
        if not free:
            raise CassetteError(f"{self.path.name}: no unused exchange for {entry['method']} {entry['url']}")
        return free[0]


def MockTransportFromCassette(  # CamelCase: reads as the transport class it returns
    path: str | Path, *, flavor: Flavor = "httpx2", match: str = "order"
) -> Any:
    """`httpx2.MockTransport` (or `httpx.MockTransport`) replaying `path`; its `.handler` is the replayer."""
    return _lib(flavor).MockTransport(CassetteReplayer(path, flavor=flavor, match=match))


class RecordingTransport(httpx2.BaseTransport, httpx.BaseTransport):
    """Wraps a real transport and appends every exchange, sanitized, to a cassette file.

    Usable by both client families: `httpx2.Client(transport=RecordingTransport(httpx2.HTTPTransport(), p))`
    for the Anthropic SDK, `httpx.Client(transport=RecordingTransport(httpx.HTTPTransport(), p))` otherwise.
    """

    def __init__(self, inner: Any, path: str | Path, *, secrets: Iterable[str] = ()) -> None:
        self.inner = inner
        self.path = Path(path)
        self.secrets = [s for s in secrets if s]
        self.exchanges: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: Any) -> Any:
        request.read()
        secrets = [*self.secrets, *header_secrets(request.headers)]
        entry = sanitized_request(request, secrets)
        response = self.inner.handle_request(request)
        response.read()  # buffer the body so both the cassette and the caller get it
        headers = {k: v for k, v in response.headers.items() if k.lower() in KEPT_RESPONSE_HEADERS}
        recorded = {"status": response.status_code, "headers": headers, "body": body_json(response.content)}
        with self._lock:
            self.exchanges.append({"request": entry, "response": scrub(recorded, secrets)})
            self._write(secrets)
        return response

    def _write(self, secrets: list[str]) -> None:
        text = json.dumps(self.exchanges, indent=2, ensure_ascii=False)
        for secret in secrets:  # belt and braces: nothing key-shaped survives, wherever it hid
            text = text.replace(secret, REDACTED)
        atomic_write(self.path, text + "\n")

    def close(self) -> None:
        self.inner.close()


def _lib(flavor: Flavor) -> Any:
    return httpx2 if flavor == "httpx2" else httpx
