"""Uploads: safe names, content types from the bytes, bounded sizes, then the ordinary ingest service.

Every file gets its own result (ingested, duplicate of which file, failed with the reason, and the share of
participant, notes and interviewer text); a bad file never stops the others.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
import unicodedata
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from segscribe.store.workspace import Workspace
from segscribe.web.settings import WebSettings

TEXT_EXT = {".txt", ".md", ".markdown", ".vtt", ".srt", ".csv", ".tsv", ".json", ".jsonl", ".ndjson",
            ".yaml", ".yml"}
#: What `segscribe ingest` ignores in a folder (ingest.is_ignored); skipped, not failed, when uploaded.
NOT_RESEARCH = {".py", ".toml"}
CHUNK = 1024 * 1024
MAX_DEPTH = 12
#: Magic numbers of formats people drop by mistake, so the reason can name what the file really is.
MAGIC = ((b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
         (b"GIF8", "a GIF image"), (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"), (b"\x7fELF", "a program"),
         (b"MZ", "a Windows program"), (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
         (b"Rar!", "a RAR archive"), (b"\xd0\xcf\x11\xe0", "an old Office file (.doc/.xls): save it as .docx"),
         (b"SQLite format 3", "a database"), (b"PAR1", "parquet"), (b"ID3", "an audio file"),
         (b"OggS", "an audio file"), (b"RIFF", "an audio or video file"))


class IngestFailed(RuntimeError):
    """The ingest worker itself failed (not one file: those get their own result)."""


class Rejected(ValueError):
    """A file that is refused before ingest; the message is the reason shown to the user."""


@dataclass
class FileResult:
    name: str
    status: str  # ingested | unchanged | duplicate | metadata | skipped | failed | kept
    reason: str | None = None
    duplicate_of: str | None = None
    kind: str = ""
    documents: int = 0
    voices: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def safe_relpath(name: str) -> PurePosixPath:
    """A relative path inside the upload folder, or Rejected for names that could leave it."""
    if not name or any(unicodedata.category(ch) == "Cc" for ch in name):
        raise Rejected("unsafe file name (empty or control characters)")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise Rejected("unsafe file name (absolute path)")
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise Rejected("unsafe file name (it points outside the upload folder)")
    if len(parts) > MAX_DEPTH or any(len(p.encode()) > 200 or ":" in p for p in parts):
        raise Rejected("unsafe file name (too deep, too long, or with ':')")
    if any(p.startswith(".") for p in parts):
        raise Rejected("hidden file or folder: not uploaded")
    return PurePosixPath(*parts)


def sniff(head: bytes) -> str:
    """What the first bytes say the file is: `text`, `zip`, `parquet`, or a description of a binary type."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return "text"
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    return "binary data" if b"\x00" in head else "text"


def expected_type(name: str) -> str | None:
    """The content type a file name promises (None: a type segscribe does not read)."""
    ext = PurePosixPath(name).suffix.lower()
    if ext in TEXT_EXT:
        return "text"
    return {".docx": "zip", ".zip": "zip", ".parquet": "parquet"}.get(ext)


def check_type(name: str, head: bytes) -> str:
    """The sniffed type when it matches the name's promise; Rejected otherwise."""
    want, got = expected_type(name), sniff(head)
    if want is None:
        raise Rejected(f"unsupported file type {PurePosixPath(name).suffix or '(none)'}: upload transcripts, "
                       "notes, VTT/SRT, DOCX, CSV/JSON exports, or a .zip of them")
    if got != want:
        raise Rejected(f"the content is {got if got != 'zip' else 'a zip archive'}, not what the name "
                       f"{PurePosixPath(name).name!r} says")
    return got


def check_archive(zf: zipfile.ZipFile, settings: WebSettings, *, docx: bool) -> None:
    """Bound what an archive may unpack to (declared sizes bound what zipfile will actually inflate)."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > settings.max_unzipped_mb * 1e6:
        raise Rejected(f"unpacks to {total / 1e6:.0f} MB, over the {settings.max_unzipped_mb:.0f} MB limit "
                       "(--max-unzipped-mb)")
    if docx and "word/document.xml" not in {i.filename for i in infos}:
        raise Rejected("not a Word document (a zip without word/document.xml)")


def copy_limited(src: IO[bytes], dest: Path, limit: float) -> int:
    """Stream `src` to `dest`, refusing (and removing) anything over `limit` bytes."""
    size = 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    with dest.open("xb") as out:
        while chunk := src.read(CHUNK):
            size += len(chunk)
            if size > limit:
                out.close()
                dest.unlink()
                raise Rejected(f"larger than the {limit / 1e6:.0f} MB per-file limit (--max-file-mb)")
            out.write(chunk)
    return size


class Batch:
    """One upload: a folder `uploads/<batch>/` that the files are written into, then ingested."""

    def __init__(self, ws: Workspace, settings: WebSettings) -> None:
        self.ws, self.settings = ws, settings
        self.id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        self.root = (ws.root / "uploads" / self.id).resolve()
        self.root.mkdir(parents=True)
        self.results: dict[str, FileResult] = {}
        self.count = 0

    def _dest(self, name: str) -> Path:
        rel = safe_relpath(name)
        dest = (self.root / rel).resolve()
        if not dest.is_relative_to(self.root) or dest.exists():
            raise Rejected("unsafe or repeated file name")
        return dest

    def _count(self) -> None:
        self.count += 1
        if self.count > self.settings.max_files:
            raise Rejected(f"over the {self.settings.max_files}-file limit of one upload (--max-files)")

    def add(self, name: str, src: IO[bytes]) -> None:
        """Write one uploaded file (unpacking a .zip); a refusal becomes that file's failed result."""
        dest = None
        if PurePosixPath(name).suffix.lower() in NOT_RESEARCH:
            self.results[name] = FileResult(name=name, status="skipped", reason="a program or config file, not "
                                            "research: not uploaded")
            return
        try:
            self._count()
            dest = self._dest(name)
            kind = check_type(name, src.read(64))
            src.seek(0)
            copy_limited(src, dest, self.settings.max_file_mb * 1e6)
            if kind == "zip":
                self._open_zip(name, dest)
        except (Rejected, zipfile.BadZipFile, OSError) as exc:
            self.results[name] = FileResult(name=name, status="failed", reason=_reason(exc))
            if dest is not None and dest.is_file():
                dest.unlink()  # never ingest what was refused

    def _open_zip(self, name: str, dest: Path) -> None:
        with zipfile.ZipFile(dest) as zf:
            check_archive(zf, self.settings, docx=name.lower().endswith(".docx"))
            if name.lower().endswith(".zip"):
                self._unpack(name, zf)
        if name.lower().endswith(".zip"):
            dest.unlink()

    def _unpack(self, name: str, zf: zipfile.ZipFile) -> None:
        prefix = PurePosixPath(name).with_suffix("")
        for info in zf.infolist():
            if info.is_dir():
                continue
            member = f"{prefix}/{info.filename}"
            dest = None
            try:
                self._count()
                dest = self._dest(member)
                with zf.open(info) as src:
                    kind = check_type(member, src.read(64))
                if kind == "zip" and member.lower().endswith(".zip"):
                    raise Rejected("an archive inside an archive: unpack it first")
                with zf.open(info) as src:
                    copy_limited(src, dest, self.settings.max_file_mb * 1e6)
                if kind == "zip":
                    with zipfile.ZipFile(dest) as inner:
                        check_archive(inner, self.settings, docx=True)
            except (Rejected, zipfile.BadZipFile, OSError, RuntimeError) as exc:
                self.results[member] = FileResult(name=member, status="failed", reason=_reason(exc))
                if dest is not None and dest.is_file():
                    dest.unlink()

    def ingest(self) -> list[FileResult]:
        """Ingest the written files with the ingest service (in a worker process) and merge its outcomes."""
        for o in _ingest_in_worker(self.ws.root, self.root, self.settings.max_file_mb):
            name = Path(o["path"]).resolve().relative_to(self.root).as_posix()
            kept = o["duplicates"][0]["kept"] if o["duplicates"] else None
            self.results[name] = FileResult(
                name=name, status=o["status"], reason=o["reason"], kind=o["kind"], documents=o["documents"],
                duplicate_of=self.display(kept) if kept else None, warnings=o["warnings"], voices=o["voices"])
        for f in sorted(self.root.rglob("*")):
            name = f.relative_to(self.root).as_posix()
            if f.is_file() and name not in self.results:
                self.results[name] = FileResult(name=name, status="kept", reason="configuration or README: kept "
                                                "for runs of this folder, not ingested")
        results = sorted(self.results.values(), key=lambda r: r.name)
        self.save(results)
        return results

    def display(self, path: str) -> str:
        """An uploaded file's name as the user gave it (`<batch>/` stripped); other paths as they are."""
        uploads = (self.ws.root / "uploads").resolve()
        p = Path(path.split("#")[0]).resolve()
        if not p.is_relative_to(uploads):
            return path
        rel = p.relative_to(uploads).parts
        return "/".join(rel[1:]) if rel and rel[0] == self.id else "/".join(rel)

    def save(self, results: list[FileResult]) -> None:
        log = self.ws.root / "uploads" / ".log"
        log.mkdir(exist_ok=True)
        (log / f"{self.id}.json").write_text(json.dumps([asdict(r) for r in results], indent=1), encoding="utf-8")


def _ingest_in_worker(ws_root: Path, folder: Path, max_mb: float) -> list[dict[str, Any]]:
    cmd = [sys.executable, "-m", "segscribe.web.worker", "ingest", str(ws_root.resolve()), str(folder), str(max_mb)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [x for x in proc.stdout.splitlines() if x.startswith('{"files"')]
    if proc.returncode or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise IngestFailed(f"reading the upload failed: {tail[:300]}")
    return list(json.loads(lines[-1])["files"])


def _reason(exc: BaseException) -> str:
    if isinstance(exc, zipfile.BadZipFile):
        return f"broken zip file ({exc})"
    return str(exc)


def past_batches(ws: Workspace, limit: int = 10) -> list[tuple[str, list[dict[str, Any]]]]:
    """The newest upload batches with their saved per-file results."""
    log = ws.root / "uploads" / ".log"
    if not log.is_dir():
        return []
    files = sorted(log.glob("*.json"), reverse=True)[:limit]
    return [(f.stem, json.loads(f.read_text(encoding="utf-8"))) for f in files]
