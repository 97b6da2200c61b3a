"""Sentence embedders. A small protocol so other models can be plugged in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 rows."""

    model_id: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


_DEFAULT: Embedder | None = None


def default_embedder() -> Embedder:
    """The bundled offline model, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        from segscribe.embed.onnx_minilm import MiniLMEmbedder

        _DEFAULT = MiniLMEmbedder()
    return _DEFAULT


def memoise(embed: Callable[[list[str]], np.ndarray], max_items: int = 200_000) -> Callable[[list[str]], np.ndarray]:
    """Wrap an embed function so each distinct text is embedded once (cache cleared when it grows too big)."""
    cache: dict[str, np.ndarray] = {}

    def run(texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if len(missing) > max_items:  # more than the memo may hold: computed, returned, not kept
            return embed(texts)
        if missing and len(cache) + len(missing) > max_items:
            cache.clear()  # start afresh: then every text of this call is missing, not only the new ones
            missing = list(dict.fromkeys(texts))
        if missing:
            cache.update(zip(missing, embed(missing), strict=True))
        return np.vstack([cache[t] for t in texts]) if texts else embed([])

    return run


class VectorStore(Protocol):
    """Vectors already computed, by text (the workspace's `store.embeddings.EmbeddingStore`)."""

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]: ...

    def put(self, items: Iterable[tuple[str, np.ndarray]]) -> None: ...


class CachedEmbedder:
    """An Embedder that memoises by text for one run: extraction, themes, segments and personas embed the
    same quotes. With a `store`, a text the workspace has embedded before (a passage window while indexing,
    or any text in an earlier run) is read from it instead of run through the model, and what the model
    computes is stored."""

    def __init__(self, inner: Embedder, store: VectorStore | None = None, max_items: int | None = None) -> None:
        self.inner = inner
        self.store = store
        self.model_id = inner.model_id
        self.dim = inner.dim
        # With a store behind it the memo only saves a database read, so it stays small (20,000 vectors,
        # about 35 MB): a 100k-ticket run's 120,000 evidence vectors are read from the store, not all kept.
        limit = max_items if max_items is not None else (200_000 if store is None else 20_000)
        self.embed = memoise(self.embed_stored, max_items=limit)

    def embed_stored(self, texts: list[str]) -> np.ndarray:
        """Each distinct text once: from the store when it has it, else from the model (and then stored).
        Keeps nothing in memory (the indexer passes every window of a run through here)."""
        return self.complete(texts, self.stored(texts))

    def stored(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The vectors the store already has for `texts` (a database read; no model call)."""
        return self.store.get(texts) if self.store is not None and texts else {}

    def complete(self, texts: list[str], found: dict[str, np.ndarray]) -> np.ndarray:
        """Vectors for `texts`: `found` (from `stored`) plus the model's for the rest, which are then stored.
        The indexer reads a chunk's stored vectors before the previous chunk's write starts, so only the
        model (which releases the GIL) runs while Chroma writes."""
        if not texts:
            return self.inner.embed([])
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            computed = list(zip(missing, self.inner.embed(missing), strict=True))
            if self.store is not None:
                self.store.put(computed)
            found = {**found, **dict(computed)}
        return np.vstack([found[t] for t in texts]).astype(np.float32, copy=False)
