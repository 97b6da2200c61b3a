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
