"""Run records: what a run was asked to do, what it read, and what each stage produced."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from segscribe.schemas.evidence import DroppedItem, Evidence


class _M(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)


class RunOptions(_M):
    """`options.json`: everything a run needs to be resumed exactly as it started."""

    inputs: list[Path] = Field(default_factory=list)
    """Files and folders of the run (resolved); empty = every document already in the workspace."""
    provider: str = "offline"
    """offline, anthropic:<model> or openai-compat:<model>."""
    base_url: str | None = None
    """Server URL for openai-compat."""
    redact: bool = True
    """Redact personal data before text goes to an external provider."""
    max_reasks: int = Field(default=2, ge=0, le=10)
    """Re-asks of an LLM about ungrounded quotes."""
    analyst_sheet: Path | None = None
    """Analyst YAML with judgement scores."""
    preset: str | None = None
    """Scoring preset (matrix4, weighted5, workshop4); None = the sheet's, else matrix4."""
    seed: int = Field(default=0, ge=0)
    """Seed for every random choice."""
    min_sessions: int = Field(default=2, ge=1)
    """A finding needs evidence from at least this many sessions."""
    index: bool = True
    """Embed passages into the vector store for `segscribe search` (off: the run does not need it)."""
    notes_convention: str | None = None
    """Force how every notes file marks voices (see `segscribe ingest --help`); None = infer per file."""
    notes_conventions: dict[str, str] = Field(default_factory=dict)
    """Notes conventions per file glob, from config.yaml."""
    record: str | None = None
    """Record the provider's HTTP exchanges to this cassette."""
    replay: str | None = None
    """Replay a recorded cassette instead of calling the provider."""
    max_output_tokens: int | None = None
    """Cap on the tokens an LLM may write per call (None: each task's own limit)."""
    cache: bool = True
    """Answer unchanged LLM requests from the workspace's response cache (off: `--no-cache`)."""
    batch: bool = False
    """Send extraction requests as provider message batches (anthropic; half price, slower)."""


class InputRecord(_M):
    """One document a run covers, with the hash of its text (`inputs.json` maps doc id -> this)."""

    source: str
    content_hash: str


class DocExtraction(_M):
    """`extract/<doc_id>.json`: one document's grounded evidence and what the gate dropped."""

    doc_id: str
    attempts: int = 0
    """Provider calls made for this document (first ask plus re-asks)."""
    repaired: int = 0
    """Items whose near-verbatim quote the gate snapped to the exact span."""
    proposed: int = 0
    """Items the extractor proposed, over all attempts."""
    reasked: int = 0
    """Proposed items the gate sent back to the model with the reason they failed."""
    invented_ids: int = 0
    """Proposed items citing a passage id the document does not have."""
    invalid_replies: int = 0
    """Replies that were not usable JSON (cut off at max_tokens, wrong shape); each was re-asked."""
    evidence: list[Evidence] = Field(default_factory=list)
    dropped: list[DroppedItem] = Field(default_factory=list)
    status: Literal["done", "failed"] = "done"
    """`failed` when the provider could not process the document; `run --resume` retries it."""
    error: str | None = None
    """Why the document failed."""


class FileOutcomeRecord(_M):
    """What happened to one input file during ingest."""

    model_config = ConfigDict(extra="allow")

    path: str
    status: str
    """ingested, unchanged, duplicate, metadata, skipped or failed."""
    kind: str = ""
    documents: int = 0
    reason: str | None = None
    duplicates: list[dict[str, Any]] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    doc_ids: list[str] = Field(default_factory=list)
    """Documents the file stands for: its own, plus those kept from another path it duplicates."""


class IngestRecord(_M):
    """`ingest.json`: the ingest report of a run's inputs."""

    model_config = ConfigDict(extra="allow")

    counts: dict[str, int] = Field(default_factory=dict)
    indexed_documents: int = 0
    indexed_windows: int = 0
    files: list[FileOutcomeRecord] = Field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcomeRecord]:
        return [f for f in self.files if f.status == "failed"]


class RunRecord(_M):
    """`run.json`: provider, prompt versions, input hashes, timings, usage and the outcome of a run."""

    run_id: str
    status: Literal["running", "finished", "partial", "stopped", "interrupted", "failed"] = "finished"
    """finished; partial (some files or documents failed); stopped (ended early on purpose, e.g. `extract`);
    interrupted (Ctrl-C or a signal) or failed (a stage raised; see `error`): both resume with `--resume`."""
    error: str | None = None
    """Why a failed run stopped (one line)."""
    provider: str = "offline"
    prompts: list[str] = Field(default_factory=list)
    """`prompt_id@version` (or offline rule-set versions) used by the run."""
    options: RunOptions = Field(default_factory=RunOptions)
    stats: dict[str, Any] = Field(default_factory=dict)
    stages: list[str] = Field(default_factory=list)
    seconds: float = 0.0
    token_usage: dict[str, float] = Field(default_factory=dict)
    token_usage_by_task: dict[str, dict[str, float]] = Field(default_factory=dict)
    """`token_usage` per prompt (extract_evidence, draft_persona...): calls, cached calls, tokens, seconds."""
    input_hashes: dict[str, str] = Field(default_factory=dict)
    report: str | None = None
    embedder: str = "unknown"
    failed_files: list[str] = Field(default_factory=list)
    """Input files that could not be ingested."""
    failed_documents: dict[str, str] = Field(default_factory=dict)
    """Documents the provider could not process, with the reason."""
    estimate: dict[str, Any] | None = None
    """The cost estimate made before the run (`segscribe estimate`), kept beside the actual `token_usage`."""
