"""Cost before spending: tokens and dollars per stage, from the same prompt rendering the run uses.

Input tokens of extraction are counted on the exact requests the run would send (redaction and all), with
the bundled WordPiece tokenizer: on this project's prompts it came within 2-8 % of a real server's count
(llama.cpp serving SmolLM2, measured 2026-12-07). Output tokens are estimated from what the offline rules find
in the same documents (the items a model would return, as JSON). Later stages (finding statements, personas)
depend on what extraction finds, so they are estimated from the offline evidence: a stated range, not a bill.
Re-asks are not included; the run record keeps this estimate beside the actual usage.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from segscribe.schemas.document import Document

#: Output overhead of a model's items over the bare quote JSON (summaries, job fields, cues).
ITEM_OVERHEAD = 1.3
PERSONA_OUTPUT_TOKENS = 1500
STATEMENT_OUTPUT_TOKENS = 150
BATCH_DISCOUNT = 0.5


class _M(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class StageEstimate(_M):
    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    usd: float = 0.0


class CostEstimate(_M):
    """What a run with a model provider is expected to send and cost, stage by stage."""

    provider: str
    documents: int
    stages: dict[str, StageEstimate] = Field(default_factory=dict)
    input_tokens: int = 0
    output_tokens: int = 0
    usd: float = 0.0
    priced: bool = True
    """False when no price is known for the model (a local server costs nothing; unknown models say so)."""
    batch: bool = False
    """True when the batch discount applies."""
    method: str = "wordpiece tokens on the rendered requests; outputs from the offline rules' findings"


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    from tokenizers import Tokenizer

    import segscribe.embed as embed_pkg

    tok = Tokenizer.from_file(str(Path(embed_pkg.__file__).parent / "minilm_tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def count_tokens(text: str) -> int:
    return len(_tokenizer().encode(text, add_special_tokens=False).ids)


def _price(provider: str) -> tuple[float, float] | None:
    """USD per token (input, output) for a provider spec, or None when unknown; local servers are free."""
    from segscribe.providers.registry import split_spec

    kind, model = split_spec(provider)
    if kind == "openai-compat":
        return (0.0, 0.0)
    if kind != "anthropic":
        return None
    from segscribe.providers.anthropic import price_for

    price = price_for(model)
    return (price.input / 1e6, price.output / 1e6) if price is not None else None


class _NoCalls:
    """A chat model that is never called: the extractor only renders requests for the estimate."""

    name = "estimate"

    def generate(self, request: Any, output_type: Any) -> Any:
        raise AssertionError("estimating never calls the model")


def _extraction(docs: Sequence[Document], redact: bool) -> tuple[StageEstimate, int, int]:
    """Extraction requests as rendered, and (offline evidence count, tokens of that evidence)."""
    from segscribe.extractors.llm import LLMExtractor
    from segscribe.extractors.offline import OfflineExtractor
    from segscribe.redact import Pseudonyms, Redactor, document_names, speaker_names

    llm = LLMExtractor(_NoCalls(), redact=redact)  # type: ignore[arg-type]
    offline = OfflineExtractor()
    stage = StageEstimate()
    n_items = item_tokens = 0
    for doc in docs:
        voice = doc.evidence_passages()
        if not voice:
            continue
        redactor = Redactor([*document_names(doc), *speaker_names(doc)]) if redact else None
        req = llm.build_request(doc, voice, [], redactor, Pseudonyms("P") if redact else None)
        drafts = offline.extract(doc)
        out = count_tokens(json.dumps({"items": [d.model_dump(exclude_defaults=True) for d in drafts]}))
        stage.requests += 1
        stage.input_tokens += count_tokens(req.system) + count_tokens(req.user)
        stage.output_tokens += int(out * ITEM_OVERHEAD) + 10
        n_items += len(drafts)
        item_tokens += sum(count_tokens(d.quote) for d in drafts)
    return stage, n_items, item_tokens


def _later_stages(n_items: int, item_tokens: int, sessions: int) -> dict[str, StageEstimate]:
    from segscribe.pipeline.findings_llm import MAX_STATED
    from segscribe.pipeline.findings_llm import TASK as STATE_TASK
    from segscribe.pipeline.personas.llm import TASK as PERSONA_TASK
    from segscribe.prompting import load_prompt

    def fixed(task: str) -> int:
        prompt = load_prompt(task)
        system, user = prompt.render(**dict.fromkeys(prompt.variables, ""))
        return count_tokens(system) + count_tokens(user)

    per_item = (item_tokens / n_items if n_items else 0) + 20  # quote plus its JSON fields
    findings = min(MAX_STATED, n_items // 8) if sessions >= 2 else 0
    statements = StageEstimate(requests=findings, output_tokens=findings * STATEMENT_OUTPUT_TOKENS,
                               input_tokens=int(findings * (fixed(STATE_TASK) + 12 * per_item)))
    segments = 2 if sessions >= 4 and n_items >= 12 else 0
    personas = StageEstimate(requests=segments, output_tokens=segments * 2 * PERSONA_OUTPUT_TOKENS,
                             input_tokens=int(segments * fixed(PERSONA_TASK) + n_items * (per_item + 15))
                             if segments else 0)
    return {"findings": statements, "personas": personas} if segments or findings else {}


def estimate_cost(docs: Sequence[Document], provider: str, *, redact: bool = True,
                  batch: bool = False) -> CostEstimate:
    """The estimate for running `provider` over `docs` (offline costs nothing and sends nothing)."""
    if provider in ("offline", ""):
        return CostEstimate(provider="offline", documents=len(docs), method="no model calls")
    extraction, n_items, item_tokens = _extraction(docs, redact)
    stages = {"extract": extraction, **_later_stages(n_items, item_tokens, len({d.session for d in docs}))}
    price = _price(provider)
    factor = BATCH_DISCOUNT if batch else 1.0
    for s in stages.values():
        s.usd = round((s.input_tokens * price[0] + s.output_tokens * price[1]) * factor, 4) if price else 0.0
    return CostEstimate(
        provider=provider, documents=extraction.requests, stages=stages, priced=price is not None, batch=batch,
        input_tokens=sum(s.input_tokens for s in stages.values()),
        output_tokens=sum(s.output_tokens for s in stages.values()),
        usd=round(sum(s.usd for s in stages.values()), 4))


def render_estimate(e: CostEstimate) -> str:
    lines = [f"{'stage':<10} {'requests':>8} {'input tok':>10} {'output tok':>10} {'USD':>9}"]
    for name, s in e.stages.items():
        lines.append(f"{name:<10} {s.requests:>8} {s.input_tokens:>10,} {s.output_tokens:>10,} {s.usd:>9.4f}")
    price = "" if e.priced else " (no price known for this model: pass a known model id)"
    lines.append(f"{'total':<10} {'':>8} {e.input_tokens:>10,} {e.output_tokens:>10,} {e.usd:>9.4f}{price}")
    lines.append(f"{e.documents} documents; provider {e.provider}" + ("; batch discount applied" if e.batch else "")
                 + "; re-asks not included")
    return "\n".join(lines)


def parse_inputs(paths: Sequence[Path]) -> list[Document]:
    """The documents of the input paths, parsed in memory (nothing is stored; failing files are skipped)."""
    from segscribe.errors import SegscribeError
    from segscribe.ingest import is_ignored, parse_file
    from segscribe.ingest.discover import discover
    from segscribe.ingest.service import Siblings

    files = [f for f in discover(list(paths)).files if not is_ignored(f)]
    siblings = Siblings(files)
    docs: list[Document] = []
    for f in files:
        try:
            parsed = parse_file(f, siblings=lambda f=f: siblings(f))  # type: ignore[misc]
        except (SegscribeError, OSError, ValueError):
            continue
        docs += parsed.documents
    return docs
