"""Run the whole graph: build dependencies, start or resume a run, write the run record."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from segscribe import artifacts as A
from segscribe.artifacts import RunDir, new_run_id
from segscribe.config import load_corpus_config
from segscribe.deps import Deps
from segscribe.embed import Embedder
from segscribe.errors import InputError, UsageError
from segscribe.pipeline.extract import Extractor
from segscribe.providers.base import ChatModel
from segscribe.schemas.run import RunOptions, RunRecord
from segscribe.store.workspace import Workspace

Progress = Callable[[str, int, int], None]


def _http_client(provider: str, record: str | None, replay: str | None) -> Any:
    """A client that records to, or replays from, a cassette (keys stripped), or None for the default."""
    if not (record or replay):
        return None
    from segscribe.providers import cassette

    flavor: Literal["httpx2", "httpx"] = "httpx2" if provider.startswith("anthropic") else "httpx"
    lib = cassette._lib(flavor)
    if replay:
        if not Path(replay).is_file():
            raise UsageError(f"no cassette at {replay}: record one first with --record")
        return lib.Client(transport=cassette.MockTransportFromCassette(replay, flavor=flavor, match="body"))
    return lib.Client(transport=cassette.RecordingTransport(lib.HTTPTransport(), str(record)))


def make_extractor(provider: str, base_url: str | None, redact: bool, embedder: Embedder,
                   record: str | None = None, replay: str | None = None, ws: Workspace | None = None,
                   cache: bool = True, batch: bool = False,
                   max_output_tokens: int | None = None) -> tuple[Extractor, ChatModel | None]:
    """(extractor, chat model or None) for a provider spec; `record`/`replay` name a cassette file.

    With a workspace `ws`, the chat model remembers the server's structured-output format there and,
    unless `cache` is off or a cassette is in use, answers unchanged requests from its response cache.
    """
    from segscribe.extractors.offline import OfflineExtractor

    if provider in ("offline", "", None):
        if batch:
            raise UsageError("--batch needs an LLM provider: pass --provider anthropic:MODEL")
        return OfflineExtractor(embedder), None
    from segscribe.extractors.llm import LLMExtractor
    from segscribe.providers.registry import make_chat

    client = _http_client(provider, record, replay)
    env = {"ANTHROPIC_API_KEY": "replayed-no-key"} if replay else None  # replay never needs a real key
    options: dict[str, Any] = {"http_client": client} if client else {}
    if ws is not None and provider.startswith("openai-compat"):
        options["memory"] = ws  # the probed structured-output format is remembered in the workspace
    if max_output_tokens:
        options["max_output_tokens"] = max_output_tokens
    chat = make_chat(provider, base_url=base_url, env=env, **options)
    store = _llm_store(ws) if ws is not None and (cache or batch) else None
    use_cache = cache and not (record or replay)  # a cassette records or replays every call
    batcher = _batcher(chat, store, use_cache) if batch and store is not None else None
    if store is not None and use_cache:
        from segscribe.providers.cache import CachedChat

        chat = CachedChat(chat, store)
    return LLMExtractor(chat, redact=redact, batcher=batcher), chat


def _llm_store(ws: Workspace) -> Any:
    from segscribe.store.llm_cache import LLMStore

    return LLMStore(ws)


def _batcher(chat: ChatModel, store: Any, use_cache: bool) -> Any:
    from segscribe.providers.anthropic_batch import AnthropicBatcher, BatchError

    try:
        return AnthropicBatcher(chat, store, use_cache=use_cache)
    except BatchError as exc:
        raise UsageError(str(exc)) from None


def prompt_refs(extractor: Extractor, chat: ChatModel | None) -> list[str]:
    """Every prompt or rule-set version the run uses, from the loaders themselves."""
    from segscribe.pipeline.findings import OFFLINE_STATEMENT
    from segscribe.pipeline.personas.offline import OFFLINE_PROMPT
    from segscribe.prompting import load_prompt

    if chat is None:
        return sorted({extractor.prompt_ref, OFFLINE_PROMPT, OFFLINE_STATEMENT})
    return sorted({extractor.prompt_ref, load_prompt("draft_persona").ref, load_prompt("state_finding").ref})


def _record(ws: Workspace, rec: RunRecord) -> None:
    with ws.connect() as con:
        con.execute("INSERT INTO runs (id, started_at, status, provider, record) VALUES (?,?,?,?,?) "
                    "ON CONFLICT(id) DO UPDATE SET status=excluded.status, record=excluded.record, "
                    "finished_at=CASE WHEN excluded.status!='running' THEN ? ELSE finished_at END",
                    (rec.run_id, time.time(), rec.status, rec.provider, rec.model_dump_json(), time.time()))


def _options(ws: Workspace, opts: RunOptions, resume: str | None,
             run_id: str | None = None) -> tuple[str, RunOptions]:
    """The run id and the options to use: saved ones when resuming, else the given ones (inputs resolved)."""
    if resume:
        run = RunDir(ws.runs_path / resume)
        if not run.exists(A.OPTIONS):
            raise UsageError(f"no run {resume!r} in {ws.root}: see `segscribe status` for the last run id")
        return resume, run.read(A.OPTIONS)
    for p in opts.inputs:
        if not p.exists():
            raise InputError(f"{p}: no such file or folder (pass a folder of interviews, notes and tickets)")
    return run_id or _fresh_run_id(ws), opts.model_copy(update={"inputs": [p.resolve() for p in opts.inputs]})


def _fresh_run_id(ws: Workspace) -> str:
    """A run id not used in `ws` yet: ids have one-second resolution, and a cached re-run can take less."""
    run_id, n = new_run_id(), 1
    while (ws.runs_path / run_id).exists():
        n += 1
        run_id = f"{new_run_id()}-{n}"
    return run_id


def run_pipeline(ws: Workspace, opts: RunOptions, progress: Progress | None = None,
                 embedder: Embedder | None = None, stop_after: str | None = None,
                 resume: str | None = None, run_id: str | None = None,
                 estimate: dict[str, Any] | None = None) -> RunRecord:
    """Start a run (or resume run `resume` with its saved options) and return its record.

    `stop_after` ends the run after that stage (its record says `stopped`); resuming it later continues.
    """
    from segscribe.graph import STAGES, build_graph, sqlite_checkpointer
    from segscribe.ingest.indexer import stored_embedder

    if stop_after is not None and stop_after not in STAGES:
        raise UsageError(f"unknown stage {stop_after!r}; stages are {', '.join(STAGES)}")
    run_id, opts = _options(ws, opts, resume, run_id)  # run_id: a new run named up front (the web app)
    emb = stored_embedder(ws, embedder)  # vectors computed once per workspace: by the index, for evidence, on re-runs
    extractor, chat = make_extractor(opts.provider, opts.base_url, opts.redact, emb, opts.record, opts.replay,
                                     ws=ws, cache=opts.cache, batch=opts.batch,
                                     max_output_tokens=opts.max_output_tokens)
    corpus, corpus_root = load_corpus_config(opts.inputs)
    deps = Deps(workspace=ws, extractor=extractor, embedder=emb, options=opts, chat=chat, corpus=corpus,
                corpus_root=corpus_root, progress=progress or (lambda s, d, t: None))
    run = deps.run_dir(run_id)
    if not run.exists(A.OPTIONS):
        run.write(A.OPTIONS, opts)
    rec = RunRecord(run_id=run_id, status="running", provider=getattr(chat, "name", None) or "offline",
                    options=opts, embedder=emb.model_id, prompts=prompt_refs(extractor, chat), estimate=estimate)
    _record(ws, rec)
    ws.set_kv("last_run", run_id)
    graph = build_graph(deps, sqlite_checkpointer(ws.root / "checkpoints.sqlite"))
    config: dict[str, Any] = {"configurable": {"thread_id": run_id}, "recursion_limit": 10_000,
                              "max_concurrency": 2}
    t0 = time.perf_counter()
    first = {"run_id": run_id, "inputs": [str(p) for p in opts.inputs]}
    snapshot = graph.get_state(config)
    # A fresh run, or a finished one being resumed (which retries failed documents), starts from the top;
    # an interrupted one continues from its last checkpoint.
    start = None if snapshot.next else first
    try:
        graph.invoke(start, config, interrupt_after=[stop_after] if stop_after else None)
    except BaseException as exc:  # the record must not stay "running": say how it ended, then let it propagate
        interrupted = isinstance(exc, KeyboardInterrupt | SystemExit)
        ended = rec.model_copy(update={"status": "interrupted" if interrupted else "failed",
                                       "seconds": round(time.perf_counter() - t0, 3),
                                       "error": None if interrupted else f"{type(exc).__name__}: {exc}"[:500]})
        run.write(A.RUN, ended)
        _record(ws, ended)
        raise
    final = graph.get_state(config)
    return _finish(ws, run, rec, final.values, bool(final.next), time.perf_counter() - t0, chat)


def _finish(ws: Workspace, run: RunDir, rec: RunRecord, values: dict[str, Any], stopped: bool, seconds: float,
            chat: ChatModel | None) -> RunRecord:
    stats = dict(values.get("stats", {}))
    failed_docs = dict(stats.pop("failed_documents", {}) or {})
    ingest = run.read(A.INGEST)
    failed_files = [f.path for f in ingest.failed]
    status: Literal["finished", "partial", "stopped"] = (
        "stopped" if stopped else "partial" if failed_docs or failed_files else "finished")
    rec = rec.model_copy(update={
        "status": status, "stats": stats, "stages": list(values.get("stages", [])), "seconds": round(seconds, 3),
        "token_usage": chat.ledger.totals() if chat is not None else {},
        "token_usage_by_task": chat.ledger.by_task() if chat is not None else {},
        "input_hashes": {k: v.content_hash for k, v in run.read(A.INPUTS).items()},
        "report": values.get("report_path"), "failed_files": failed_files, "failed_documents": failed_docs})
    run.write(A.RUN, rec)
    _record(ws, rec)
    return rec

