"""Hostile and broken files fail one at a time, with a reason, and never harm the workspace (issue 14)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from segscribe.ingest import parse_file
from segscribe.ingest.service import ingest_paths
from segscribe.ingest.text import IngestError
from segscribe.store.workspace import Workspace

GOOD = "Interviewer: What slows you down?\nDana: Chasing approvals by email every single month end.\n"


def alias_bomb(levels: int) -> str:
    """YAML front matter whose aliases multiply by 9 per level (the classic billion laughs)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels + 1):
        ref = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{','.join([ref] * 9)}]")
    return "---\n" + "\n".join(lines) + "\n---\n" + GOOD


def outcome(report, name: str):  # type: ignore[no-untyped-def]
    return next(f for f in report.files if Path(f.path).name == name)


# ---------------------------------------------------------------- item 3: YAML alias bomb


def test_yaml_alias_bomb_in_front_matter_is_rejected(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.md").write_text(alias_bomb(5), encoding="utf-8")
    (folder / "ok.txt").write_text(GOOD, encoding="utf-8")
    report = ingest_paths(workspace, [folder], index=False)
    bomb = outcome(report, "bomb.md")
    assert bomb.status == "failed" and "alias" in (bomb.reason or "")
    assert outcome(report, "ok.txt").status == "ingested"
    assert workspace.db_path.stat().st_size < 2_000_000


def test_full_size_alias_bomb_fails_fast(tmp_path: Path) -> None:
    path = tmp_path / "bomb.md"
    path.write_text(alias_bomb(8), encoding="utf-8")
    assert path.stat().st_size < 700
    with pytest.raises(IngestError, match="alias"):
        parse_file(path)


def test_front_matter_with_duplicate_keys_or_tags_is_rejected(tmp_path: Path) -> None:
    dup = tmp_path / "dup.md"
    dup.write_text("---\nparticipant: Ann\nparticipant: Bob\n---\n" + GOOD, encoding="utf-8")
    with pytest.raises(IngestError, match="duplicate key 'participant'"):
        parse_file(dup)
    tagged = tmp_path / "tag.md"
    tagged.write_text("---\nblob: !!binary aGVsbG8=\n---\n" + GOOD, encoding="utf-8")
    with pytest.raises(IngestError, match="tag"):
        parse_file(tagged)


# ---------------------------------------------------------------- item 5: DOCX decompression


def _docx_with_body(xml_body: str) -> bytes:
    """A minimal but valid .docx whose document.xml holds `xml_body` inside <w:body>."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                text = data.decode("utf-8")
                head, tail = text.split("<w:body>", 1)
                data = (head + "<w:body>" + xml_body + tail).encode("utf-8")
            z.writestr(info.filename, data)
    return out.getvalue()


def test_docx_that_expands_enormously_is_rejected_quickly(tmp_path: Path) -> None:
    para = "<w:p><w:r><w:t>Dana: the close takes nine days and I hate it.</w:t></w:r></w:p>"
    data = _docx_with_body(para * 120_000)  # ~9 MB of XML that deflates to well under 100 KB
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    assert path.stat().st_size < 200_000
    with pytest.raises(IngestError, match="expands"):
        parse_file(path)


def test_ordinary_docx_still_ingests(tmp_path: Path) -> None:
    para = "<w:p><w:r><w:t>{}</w:t></w:r></w:p>"
    body = "".join(para.format(line) for line in GOOD.splitlines())
    path = tmp_path / "interview.docx"
    path.write_bytes(_docx_with_body(body))
    parsed = parse_file(path)
    assert parsed.documents and "Chasing approvals" in parsed.documents[0].text


# ---------------------------------------------------------------- item 6: deep nesting


def test_deeply_nested_json_fails_one_file_and_the_batch_goes_on(workspace: Workspace, tmp_path: Path,
                                                                  embedder) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (folder / "b_deep.jsonl").write_text('{"body": ' + "[" * 50_000 + "]" * 50_000 + "}\n", encoding="utf-8")
    (folder / "c_ok.txt").write_text(GOOD, encoding="utf-8")
    report = ingest_paths(workspace, [folder], embedder=embedder)
    for name in ("a_deep.json", "b_deep.jsonl"):
        failed = outcome(report, name)
        assert failed.status == "failed" and "nested" in (failed.reason or ""), failed
    assert outcome(report, "c_ok.txt").status == "ingested"
    assert report.indexed_documents == 1 and workspace.unindexed_ids() == []


# ---------------------------------------------------------------- item 8: TSV


def test_tsv_is_parsed_as_tsv(tmp_path: Path) -> None:
    path = tmp_path / "tickets.tsv"
    path.write_text("ticket_id\tsubject\tbody\n"
                    "T1\tExport, again\tThe export drops rows, columns and totals, every time I run it.\n",
                    encoding="utf-8")
    parsed = parse_file(path)
    (doc,) = parsed.documents
    assert "The export drops rows, columns and totals, every time I run it." in doc.text
    assert "Export, again" in doc.text
    assert not parsed.warnings


# ---------------------------------------------------------------- item 10: JSONL line numbers


def test_broken_jsonl_line_is_reported_with_its_line_number(tmp_path: Path) -> None:
    rows = [json.dumps({"ticket_id": f"T{i}", "subject": "s", "body": "the export is slow"}) for i in range(6)]
    rows[4] = '{"ticket_id": "T4", "body": oops}'
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"line 5\b"):
        parse_file(path)


# ---------------------------------------------------------------- found by the fuzz test


def test_escaped_surrogates_in_front_matter_and_json_are_repaired(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.md").write_text('---\ntitle: "Smile \\ud83d\\ude00 and a lone \\ud800"\n---\n' + GOOD,
                                 encoding="utf-8")
    (folder / "t.jsonl").write_text('{"ticket_id": "T1", "subject": "s", "body": "broken \\udc00 export"}\n',
                                    encoding="utf-8")
    report = ingest_paths(workspace, [folder], index=False)
    assert [f.status for f in report.files] == ["ingested", "ingested"], report.files
    titles = {d.title for d in workspace.documents()}
    assert "Smile 😀 and a lone \ufffd" in titles
    assert any("broken \ufffd export" in d.text for d in workspace.documents())
