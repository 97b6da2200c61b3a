"""Sentence embedders. A small protocol so other models can be plugged in."""

from __future__ import annotations

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
        from agent.embed.onnx_minilm import MiniLMEmbedder

        _DEFAULT = MiniLMEmbedder()
    return _DEFAULT


class CachedEmbedder:
    """Memoises vectors by text for one run: extraction, themes, segments and personas embed the same quotes."""

    def __init__(self, inner: Embedder, max_items: int = 200_000) -> None:
        self.inner = inner
        self.model_id = inner.model_id
        self.dim = inner.dim
        self._cache: dict[str, np.ndarray] = {}
        self.max_items = max_items

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vecs = self.inner.embed(missing)
            if len(self._cache) + len(missing) > self.max_items:
                self._cache.clear()
            self._cache.update(zip(missing, vecs, strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._cache[t] if t in self._cache else self.inner.embed([t])[0] for t in texts])
