"""Settings of `segscribe serve` and the bind check that refuses an unprotected public server."""

from __future__ import annotations

import getpass
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

from segscribe.errors import SegscribeError

MIN_TOKEN_CHARS = 12
MAX_READ_TOKEN_CHARS = 200
#: The read-only token travels in a URL path (`/share/<token>`), so it keeps to characters that need no escaping.
READ_TOKEN = re.compile(r"^[A-Za-z0-9._~-]+$")


class ServeError(SegscribeError):
    """The server cannot start as configured (the message says how to fix it)."""


@dataclass
class WebSettings:
    workspace: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    """Access token or password; required for any bind other than loopback."""
    read_token: str | None = None
    """Read-only token: signs a reader in (at /login or through the share link `/share/<token>`); needs `token`."""
    max_upload_mb: float = 200
    """Largest upload request (all files together)."""
    max_files: int = 500
    """Most files in one upload (members of a .zip count too)."""
    max_file_mb: float = 50
    """Largest single file, as uploaded or unpacked."""
    max_unzipped_mb: float = 500
    """Most bytes a .zip or .docx upload may unpack to (zip-bomb guard)."""
    projects: Path | None = None
    """A folder of projects (one workspace per subfolder), served instead of `workspace` when set."""
    user: str = field(default_factory=lambda: _login_name())
    """Who curation actions are attributed to unless the curator gives a name."""

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "researcher"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: WebSettings) -> None:
    """Refuse to serve beyond this machine without an access token, or with a weak one."""
    if settings.token is not None and len(settings.token) < MIN_TOKEN_CHARS:
        raise ServeError(f"the access token must have at least {MIN_TOKEN_CHARS} characters "
                         "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)")
    if not settings.loopback and not settings.token:
        raise ServeError(f"refusing to serve on {settings.host} without an access token: set "
                         "SEGSCRIBE_WEB_TOKEN (or --token), or bind to 127.0.0.1")
    if settings.read_token is not None:
        check_read_token(settings)
    for name in ("max_upload_mb", "max_file_mb", "max_unzipped_mb"):
        if getattr(settings, name) <= 0:
            raise ServeError(f"--{name.replace('_', '-')} must be positive")
    if settings.max_files < 1:
        raise ServeError("--max-files must be at least 1")


def check_read_token(settings: WebSettings) -> None:
    """A read-only token only means something next to an access token, and must be long, URL-safe and different."""
    read = settings.read_token or ""
    if not settings.token:
        raise ServeError("a read-only token needs an access token too: set --token (or SEGSCRIBE_WEB_TOKEN) as "
                         "well, because without one everyone on loopback is an editor")
    if not MIN_TOKEN_CHARS <= len(read) <= MAX_READ_TOKEN_CHARS:
        raise ServeError(f"the read-only token must have {MIN_TOKEN_CHARS} to {MAX_READ_TOKEN_CHARS} characters "
                         "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)")
    if not READ_TOKEN.match(read):
        raise ServeError("the read-only token goes into the share link: use only letters, digits and . _ ~ - "
                         "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`)")
    if read == settings.token:
        raise ServeError("the read-only token must differ from the access token")
