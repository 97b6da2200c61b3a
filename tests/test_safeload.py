"""The one safe loader for YAML/JSON/TOML: bombs, tags, duplicate keys, depth and size are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from segscribe.cli.main import app
from segscribe.errors import SegscribeError
from segscribe.safeload import LoadError, load_json, load_toml, load_yaml, load_yaml_mapping

BOMB = "\n".join(['a: &a ["x","x","x","x","x","x","x","x","x"]']
                 + [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)])


def test_plain_yaml_loads() -> None:
    text = "provider: offline\nmax_file_mb: 50\ncolumns:\n  body: description\nwhen: 2024-01-15\n"
    data = load_yaml_mapping(text, source="config.yaml")
    assert data["provider"] == "offline" and data["columns"] == {"body": "description"}
    assert load_yaml_mapping("", source="empty.yaml") == {}


def test_aliases_are_refused_by_default_and_bounded_when_allowed() -> None:
    with pytest.raises(LoadError, match=r"bomb.yaml: not valid YAML: alias \*a is not allowed"):
        load_yaml(BOMB, source="bomb.yaml")
    with pytest.raises(LoadError, match="expand to more than"):
        load_yaml(BOMB, source="bomb.yaml", allow_aliases=True)
    assert load_yaml("a: &a [1, 2]\nb: *a\n", source="ok.yaml", allow_aliases=True) == {"a": [1, 2], "b": [1, 2]}
    assert issubclass(LoadError, SegscribeError)


@pytest.mark.parametrize("text", ["x: !!binary aGVsbG8=\n", "x: !!python/object:os.system {}\n",
                                  "x: !custom 1\n", "x: !!set {a: null}\n"])
def test_tags_are_refused(text: str) -> None:
    with pytest.raises(LoadError, match="tag"):
        load_yaml(text, source="t.yaml")
    assert load_yaml("x: !!str 12\n", source="t.yaml") == {"x": "12"}


def test_duplicate_keys_are_refused_everywhere() -> None:
    with pytest.raises(LoadError, match=r"duplicate key 'redact' \(line 3, first at line 1\)"):
        load_yaml("redact: false\nprovider: offline\nredact: true\n", source="config.yaml")
    with pytest.raises(LoadError, match="duplicate key 'body'"):
        load_yaml("columns:\n  body: a\n  body: b\n", source="config.yaml")
    with pytest.raises(LoadError, match="duplicate JSON key 'k'"):
        load_json('{"a": {"k": 1, "k": 2}}', source="x.json")
    with pytest.raises(LoadError, match="not valid TOML"):
        load_toml('name = "a"\nname = "b"\n', source="x.toml")


def test_depth_and_size_are_bounded() -> None:
    with pytest.raises(LoadError, match="deeper than"):
        load_yaml("a: " + "[" * 100 + "]" * 100, source="deep.yaml")
    with pytest.raises(LoadError, match="too deeply|deeper than"):
        load_yaml("- " * 5000 + "x", source="deep.yaml")
    with pytest.raises(LoadError, match="too deeply|deeper than"):
        load_json("[" * 100_000 + "]" * 100_000, source="deep.json")
    with pytest.raises(LoadError, match="over the 100-byte limit"):
        load_yaml("a: " + "x" * 200, source="big.yaml", max_bytes=100)
    with pytest.raises(LoadError, match=r"broken.yaml: not valid YAML: .*\(line \d\)"):
        load_yaml("a: 1\nb: [unclosed\n", source="broken.yaml")


def test_workspace_config_with_duplicate_keys_is_refused(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "-w", str(ws)]).exit_code == 0
    (ws / "config.yaml").write_text("max_file_mb: 1\nmax_file_mb: 500\n", encoding="utf-8")
    src = tmp_path / "a.txt"
    src.write_text("Interviewer: hi\nAna: The close takes nine days and I hate every one of them.\n",
                   encoding="utf-8")
    result = runner.invoke(app, ["ingest", "-w", str(ws), "--no-index", str(src)])
    assert result.exit_code == 2, result.output
    assert "duplicate key 'max_file_mb'" in result.output and "config.yaml" in result.output


def test_analyst_sheet_and_thresholds_refuse_duplicate_keys(tmp_path: Path) -> None:
    from segscribe.evals.scorecard import load_thresholds
    from segscribe.scoring import load_analyst_sheet

    sheet = tmp_path / "analyst.yaml"
    sheet.write_text("segments:\n  a:\n    fit: 8\n    fit: 2\n", encoding="utf-8")
    with pytest.raises(SegscribeError, match="duplicate key 'fit'"):
        load_analyst_sheet(sheet)
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text("quote_exactness: 1.0\nquote_exactness: 0.1\n", encoding="utf-8")
    with pytest.raises(SegscribeError, match="duplicate key 'quote_exactness'"):
        load_thresholds(thresholds)


def test_corpus_and_segment_configs_refuse_duplicate_keys(tmp_path: Path) -> None:
    from segscribe.config import load_corpus_config

    (tmp_path / "corpus.yaml").write_text("customers:\n  path: a.csv\n  path: b.csv\n", encoding="utf-8")
    with pytest.raises(LoadError, match="duplicate key 'path'"):
        load_corpus_config([tmp_path])
    cfg = tmp_path / "seg.yaml"
    cfg.write_text("method: rules\nmethod: kmeans\n", encoding="utf-8")
    table = tmp_path / "t.csv"
    table.write_text("customer_id,seats\nC1,3\nC2,5\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["segment", "--customers", str(table), "--config", str(cfg)])
    assert res.exit_code == 2 and "duplicate key 'method'" in res.output, res.output
