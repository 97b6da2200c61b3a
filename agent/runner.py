"""Run the whole graph: build dependencies, start or resume a run, write the run record."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from segscribe.deps import Deps
from segscribe.errors import SegscribeError
from segscribe.runs import new_run_id
from segscribe.store.workspace import Workspace


@dataclass
class RunOptions:
    inputs: list[Path]
    provider: str = "offline"
    base_url: str | None = None
    redact: bool = True
    max_reasks: int = 2
    analyst_sheet: Path | None = None
    preset: str | None = None
    seed: int = 0
    resume: str | None = None
    record: str | None = None
    replay: str | None = None


def load_corpus_config(inputs: list[Path]) -> tuple[dict[str, Any], Path | None]:
    """`corpus.yaml` of a single input folder (tables, accessible attributes), if it has one."""
    import yaml

    if len(inputs) == 1 and (inputs[0] / "corpus.yaml").is_file():
        data = yaml.safe_load((inputs[0] / "corpus.yaml").read_text(encoding="utf-8")) or {}
        return (data if isinstance(data, dict) else {}), inputs[0]
    return {}, None


def _http_client(provider: str, record: str | None, replay: str | None) -> Any:
    """A client that records to, or replays from, a cassette (keys stripped), or None for the default."""
    if not (record or replay):
        return None
    from segscribe.providers import cassette

    flavor: Literal["httpx2", "httpx"] = "httpx2" if provider.startswith("anthropic") else "httpx"
    lib = cassette._lib(flavor)
    if replay:
        if not Path(replay).is_file():
            raise SegscribeError(f"no cassette at {replay}: record one first with --record")
        return lib.Client(transport=cassette.MockTransportFromCassette(replay, flavor=flavor, match="body"))
    return lib.Client(transport=cassette.RecordingTransport(lib.HTTPTransport(), str(record)))


def make_extractor(provider: str, base_url: str | None, redact: bool, embedder: Any,
                   record: str | None = None, replay: str | None = None) -> tuple[Any, Any]:
    """(extractor, chat model or None) for a provider spec; `record`/`replay` name a cassette file."""
    from segscribe.providers.offline import OfflineExtractor

    if provider in ("offline", "", None):
        return OfflineExtractor(embedder), None
    from segscribe.providers.llm_extract import LLMExtractor
    from segscribe.providers.registry import make_chat

    client = _http_client(provider, record, replay)
    env = {"ANTHROPIC_API_KEY": "replayed-no-key"} if replay else None  # replay never needs a real key
    chat = make_chat(provider, base_url=base_url, env=env, **({"http_client": client} if client else {}))
    return LLMExtractor(chat, redact=redact), chat


def _record(ws: Workspace, run_id: str, status: str, provider: str, record: dict[str, Any]) -> None:
    with ws.connect() as con:
        con.execute("INSERT INTO runs (id, started_at, status, provider, record) VALUES (?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET status=excluded.status, record=excluded.record, "
                    "finished_at=CASE WHEN excluded.status='finished' THEN ? ELSE finished_at END",
                    (run_id, time.time(), status, provider, json.dumps(record, default=str), time.time()))


def run_pipeline(ws: Workspace, opts: RunOptions, progress: Callable[[str, int, int], None] | None = None,
                 embedder: Any = None) -> dict[str, Any]:
    from segscribe.embed import default_embedder
    from segscribe.graph import build_graph, sqlite_checkpointer

    run_id = opts.resume or new_run_id()
    run_root = ws.runs_path / run_id
    if opts.resume:
        saved = run_root / "options.json"
        if not saved.exists():
            raise SegscribeError(f"no run {run_id!r} in {ws.root}: see `segscribe status` for the last run id")
        data = json.loads(saved.read_text(encoding="utf-8"))
        opts = RunOptions(**{**data, "inputs": [Path(p) for p in data["inputs"]], "resume": run_id,
                             "analyst_sheet": Path(data["analyst_sheet"]) if data.get("analyst_sheet") else None})
    for p in opts.inputs:
        if not p.exists():
            raise SegscribeError(f"{p}: no such file or folder (pass a folder of interviews, notes and tickets)")
    from segscribe.embed import CachedEmbedder

    emb = CachedEmbedder(embedder or default_embedder())
    extractor, chat = make_extractor(opts.provider, opts.base_url, opts.redact, emb, opts.record, opts.replay)
    corpus_cfg, corpus_root = load_corpus_config(opts.inputs)
    deps = Deps(workspace=ws, extractor=extractor, embedder=emb, chat=chat, corpus_config=corpus_cfg,
                corpus_root=corpus_root, max_reasks=opts.max_reasks, redact=opts.redact, seed=opts.seed,
                analyst_sheet=opts.analyst_sheet, preset=opts.preset,
                progress=progress or (lambda s, d, t: None))
    run = deps.run_dir(run_id)
    if not opts.resume:
        run.write_json("options.json", {**opts.__dict__, "inputs": [str(p.resolve()) for p in opts.inputs],
                                        "analyst_sheet": str(opts.analyst_sheet) if opts.analyst_sheet else None})
    _record(ws, run_id, "running", opts.provider, {})
    ws.set_kv("last_run", run_id)
    graph = build_graph(deps, sqlite_checkpointer(ws.root / "checkpoints.sqlite"))
    config = {"configurable": {"thread_id": run_id}, "recursion_limit": 10_000, "max_concurrency": 2}
    t0 = time.perf_counter()
    first_input = None if opts.resume else {"run_id": run_id, "inputs": [str(p.resolve()) for p in opts.inputs]}
    final = graph.invoke(first_input, config)
    if opts.resume and not final.get("report_path"):
        final = graph.get_state(config).values
    record = {
        "run_id": run_id, "status": "finished", "provider": getattr(chat, "name", None) or "offline",
        "prompts": sorted({extractor.prompt_ref, "draft_persona@1" if chat else "offline-persona@1"}),
        "options": run.read_json("options.json"), "stats": final.get("stats", {}),
        "stages": final.get("stages", []), "seconds": round(time.perf_counter() - t0, 3),
        "token_usage": chat.ledger.totals() if chat is not None else {},
        "input_hashes": {k: v["content_hash"] for k, v in (run.read_json("inputs.json", {}) or {}).items()},
        "report": final.get("report_path"), "embedder": getattr(emb, "model_id", "unknown"),
    }
    run.write_json("run.json", record)
    _record(ws, run_id, "finished", opts.provider, record)
    ws.set_kv("last_run", run_id)
    return record
