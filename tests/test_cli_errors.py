"""Every bad invocation ends in one line that says what to do, with exit code 2 and no traceback.

The cases go through `segscribe.cli.main.main`, the console script itself, so click's usage errors are
checked as users see them too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from factories import CORPUS
from segscribe.cli.main import main

Setup = Callable[[Path], list[str]]


def _small(tmp: Path) -> Path:
    """One interview and its folder, enough to start a run."""
    folder = tmp / "study"
    (folder / "interviews").mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "interviews" / "p01_whitfield.txt", folder / "interviews")
    return folder


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _ws_with_config(tmp: Path, text: str) -> Path:
    ws = tmp / "ws"
    _write(ws / "config.yaml", text)
    return ws


def _workspace(tmp: Path) -> Path:
    from segscribe.store.workspace import Workspace

    return Workspace.open(tmp / "ws").root


def _corpus_with_yaml(tmp: Path, text: str) -> Path:
    folder = _small(tmp)
    _write(folder / "corpus.yaml", text)
    return folder


def _customers(tmp: Path) -> Path:
    return _write(tmp / "customers.csv", "customer_id,plan,mrr\nc1,Pro,10\nc2,Free,0\nc3,Pro,12\nc4,Free,1\n")


CASES: dict[str, tuple[Setup, str]] = {
    "analyst sheet is malformed YAML": (
        lambda t: ["run", str(_small(t)), "-w", str(t / "ws"), "--analyst", str(_write(t / "a.yaml", "a: [1,\n"))],
        "not valid YAML"),
    "analyst sheet has a python tag": (
        lambda t: ["run", str(_small(t)), "-w", str(t / "ws"), "--analyst",
                   str(_write(t / "a.yaml", "segments: !!python/object/apply:os.system ['true']\n"))],
        "not valid YAML"),
    "analyst sheet has a bad value": (
        lambda t: ["run", str(_small(t)), "-w", str(t / "ws"), "--analyst",
                   str(_write(t / "a.yaml", "preset: matrix4\nweights: seven\n"))],
        "weights"),
    "workspace is a file": (
        lambda t: ["status", "-w", str(_write(t / "afile", "x"))], "is a file"),
    "workspace cannot be created": (
        lambda t: ["ingest", str(_small(t)), "-w", "/proc/segscribe-cannot-exist/ws"], "cannot use workspace"),
    "no workspace for a read command": (
        lambda t: ["status", "-w", str(t / "missing")], "no workspace at"),
    "workspace config is malformed YAML": (
        lambda t: ["ingest", str(_small(t)), "-w", str(_ws_with_config(t, "max_file_mb: [\n"))], "not valid YAML"),
    "workspace config has a tag": (
        lambda t: ["ingest", str(_small(t)), "-w",
                   str(_ws_with_config(t, "provider: !!binary aGk=\nx: !!python/name:os.system\n"))],
        "not valid YAML"),
    "workspace config max_file_mb is text": (
        lambda t: ["ingest", str(_small(t)), "-w", str(_ws_with_config(t, 'max_file_mb: "fifty"\n'))],
        "max_file_mb"),
    "workspace config has an unknown key": (
        lambda t: ["ingest", str(_small(t)), "-w", str(_ws_with_config(t, "max_file_mbs: 3\n"))], "max_file_mbs"),
    "environment variable is not a number": (
        lambda t: ["ingest", str(_small(t)), "-w", str(t / "ws")], "SEGSCRIBE_MAX_REASKS"),
    "corpus.yaml is malformed": (
        lambda t: ["run", str(_corpus_with_yaml(t, "customers: {path: [\n")), "-w", str(t / "ws")], "not valid YAML"),
    "corpus.yaml reads outside its folder": (
        lambda t: ["run", str(_corpus_with_yaml(t, "customers:\n  path: /etc/passwd\n")), "-w", str(t / "ws")],
        "outside the corpus folder"),
    "segment config is malformed": (
        lambda t: ["segment", "--customers", str(_customers(t)), "--config", str(_write(t / "c.yaml", "k: [\n"))],
        "not valid YAML"),
    "segment config has a tag": (
        lambda t: ["segment", "--customers", str(_customers(t)), "--config",
                   str(_write(t / "c.yaml", "k: !!python/object:os.system {}\n"))], "not valid YAML"),
    "deeply nested rule": (
        lambda t: ["segment", "--customers", str(_customers(t)), "--method", "rules", "--config",
                   str(_write(t / "r.yaml", "rules:\n  - name: deep\n    rule: '" + "not " * 500 + "mrr > 1'\n"))],
        "nests deeper"),
    "search -k 0": (lambda t: ["search", "x", "-k", "0", "-w", str(t / "ws")], "-k"),
    "serve --max-files too large": (lambda t: ["serve", "--max-files", "1000000000"], "--max-files"),
    "serve --max-unzipped-mb too large": (lambda t: ["serve", "--max-unzipped-mb", "1e9"], "--max-unzipped-mb"),
    "serve --port out of range": (lambda t: ["serve", "--port", "70000"], "--port"),
    "score --samples too large": (
        lambda t: ["score", "--analyst", str(_write(t / "a.yaml", "segments: {A: {fit: 5}}\n")), "--samples",
                   "1000000000"], "--samples"),
    "score --samples not a number": (
        lambda t: ["score", "--analyst", str(_write(t / "a.yaml", "segments: {A: {fit: 5}}\n")), "--samples",
                   "1e9"], "--samples"),
    "unknown provider": (
        lambda t: ["run", str(_small(t)), "-w", str(t / "ws"), "--provider", "bogus:model"], "Unknown provider"),
    "anthropic without a key": (
        lambda t: ["run", str(_small(t)), "-w", str(t / "ws"), "--provider", "anthropic:claude-sonnet-4-6"],
        "ANTHROPIC_API_KEY"),
    "resume an unknown run": (lambda t: ["run", "--resume", "nope", "-w", str(t / "ws")], "no run 'nope'"),
    "input path does not exist": (
        lambda t: ["run", str(t / "nowhere"), "-w", str(t / "ws")], "no such file or folder"),
    "eval on an unknown dataset": (lambda t: ["eval", "--dataset", "bogus", "-w", str(t / "ws")], "--dataset"),
    "evidence of an unknown kind": (
        lambda t: ["evidence", "--kind", "bogus", "-w", str(_ws_with_config(t, ""))], "--kind"),
    "personas before any run": (lambda t: ["personas", "-w", str(_workspace(t))], "no run yet"),
    "unknown command": (lambda t: ["frobnicate"], "No such command"),
    "unknown option": (lambda t: ["status", "--bogus"], "No such option"),
    "unknown preset": (
        lambda t: ["run", str(_small(t)), "-w", str(t / "ws"), "--preset", "nine"], "unknown --preset"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_invocation_is_one_line_with_exit_code_2(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    setup, expected = CASES[case]
    if case == "environment variable is not a number":
        monkeypatch.setenv("SEGSCRIBE_MAX_REASKS", "abc")
    argv = setup(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert exit_info.value.code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert expected in lines[0], err
    assert "Traceback" not in err


def test_corpus_yaml_outside_path_is_never_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = _write(tmp_path / "outside" / "secret.csv", "customer_id,plan\nTOPSECRET,Pro\n")
    folder = _corpus_with_yaml(tmp_path / "in", f"customers:\n  path: {secret}\n")
    with pytest.raises(SystemExit):
        main(["run", str(folder), "-w", str(tmp_path / "ws")])
    captured = capsys.readouterr()
    assert "TOPSECRET" not in captured.err + captured.out


def test_help_loads_no_heavy_library() -> None:
    """`segscribe --help` stays fast: the data stack loads only when a command runs."""
    import subprocess
    import sys

    code = ("import sys, segscribe.cli.main as m\n"
            "heavy = [n for n in ('pandas', 'chromadb', 'numpy', 'langgraph', 'pydantic', 'anthropic') "
            "if n in sys.modules]\n"
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
