"""Fixtures for the web app tests: a hostile payload, a fake image, and a small research folder."""

from __future__ import annotations

from pathlib import Path

XSS = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
XSS_TRANSCRIPT = f"""---
participant: Mallory Quinn
interviewer: Iris
---
Iris: How do exports work for you?
Mallory Quinn: It's so frustrating: every month I lose hours because the export breaks when {XSS} shows up\
in the vendor name.
Iris: What do you do then?
Mallory Quinn: I fix the CSV by hand in a spreadsheet every single month, which is a painful workaround.
"""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def research_folder(root: Path, corpus: Path, names: tuple[str, ...] = (
        "p01_whitfield.txt", "p02_bellini.vtt", "p04_okafor.md", "p11_santos.md")) -> Path:
    """A folder of notes as a researcher would drop it: four real interviews, one duplicate, one bad file and
    one transcript with an XSS payload in a participant's words."""
    folder = root / "study"
    folder.mkdir(parents=True)
    for name in names:
        (folder / name).write_bytes((corpus / "interviews" / name).read_bytes())
    (folder / "whitfield-copy.txt").write_bytes((corpus / "interviews" / names[0]).read_bytes())
    (folder / "photo-of-whiteboard.txt").write_bytes(PNG)
    (folder / "p99_quinn.txt").write_text(XSS_TRANSCRIPT, encoding="utf-8")
    return folder
