"""Settings in one place, and config files read into validated models with one-line errors.

Precedence, highest first: command-line flags, `SEGSCRIBE_*` environment variables, the workspace's
`config.yaml`, the defaults below. Every value is validated; a bad one is reported with the place it came
from (the file, the variable or the flag), never silently replaced.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from segscribe.errors import ConfigError, UsageError

M = TypeVar("M", bound=BaseModel)

#: Config files are small; anything larger is a mistake (or an attack) and is refused before parsing.
MAX_CONFIG_BYTES = 1_000_000


class Settings(BaseModel):
    """Workspace settings (`config.yaml`), overridable by `SEGSCRIBE_<NAME>` variables and by flags."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    provider: str = "offline"
    """offline (default, no network), anthropic:<model-id>, or openai-compat:<model> with base_url."""
    base_url: str | None = None
    """OpenAI-compatible server URL for openai-compat, e.g. http://localhost:11434/v1."""
    redact: bool = True
    """Replace personal data with placeholders before any text goes to an external provider."""
    max_reasks: int = Field(default=2, ge=0, le=10)
    """How often the grounding gate re-asks an LLM about an ungrounded quote before dropping it."""
    max_file_mb: float = Field(default=50.0, gt=0, le=10_240)
    """Size limit per input file, in MB."""
    near_duplicate_threshold: float = Field(default=0.85, gt=0, le=1)
    """Documents at least this similar (word-shingle Jaccard) are treated as near-duplicates."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Ticket/survey column mapping when auto-detection is not enough (role: column)."""
    seed: int = Field(default=0, ge=0)
    """Seed for every random choice (clustering, bootstrap, sensitivity samples)."""
    min_sessions: int = Field(default=2, ge=1, le=1000)
    """A finding needs evidence from at least this many sessions."""
    notes_conventions: dict[str, str] = Field(default_factory=dict)
    """How notes mark voices, per file glob, where inference gets it wrong (e.g. `"*/study-a/*": blockquote-notes`)."""
    max_output_tokens: int | None = Field(default=None, ge=64, le=64_000)
    """Cap on the tokens an LLM may write per call (None: each task's own limit, 8192). Small local models
    that ramble on until the limit take minutes per call on a CPU; a cap of 1000-2000 bounds that."""
    chroma_url: str | None = None
    """A Chroma server (http://HOST:PORT) shared by a team, instead of the workspace's embedded store."""


class EnvSettings(BaseSettings, Settings):
    """The same fields read from `SEGSCRIBE_<NAME>` environment variables (pydantic-settings)."""

    model_config = SettingsConfigDict(env_prefix="SEGSCRIBE_", extra="ignore")


def one_line(exc: ValidationError, style: str = "yaml") -> str:
    """A pydantic error as one readable line: `field: problem; field: problem`.

    `style` names fields as the user wrote them: `yaml` (max_file_mb), `env` (SEGSCRIBE_MAX_FILE_MB) or
    `flag` (--max-file-mb).
    """
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "value"
        if style == "env":
            loc = "SEGSCRIBE_" + loc.upper()
        elif style == "flag":
            loc = "--" + loc.replace("_", "-")
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def read_yaml_mapping(path: Path, what: str) -> dict[str, Any]:
    """A YAML file that must hold a mapping (empty file = empty mapping); ConfigError otherwise."""
    from segscribe.safeload import load_yaml

    try:
        size = path.stat().st_size
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(f"{path}: {what} is {size:,} bytes; config files are limited to "
                              f"{MAX_CONFIG_BYTES:,} bytes")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"no such {what}: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc}") from None
    # Aliases, tags and duplicate keys are refused, depth and size bounded (segscribe.safeload).
    data = load_yaml(text, source=f"{path} ({what})", max_bytes=MAX_CONFIG_BYTES)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the {what} must be a YAML mapping (key: value lines), "
                          f"not a {type(data).__name__}")
    return data


def validate_model(model: type[M], data: Mapping[str, Any], where: str) -> M:
    """`model` from `data`, or ConfigError naming `where` and every bad field."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise ConfigError(f"{where}: {one_line(exc)}") from None


def read_model(path: Path, model: type[M], what: str) -> M:
    """A YAML config file validated into `model` (one-line ConfigError on any problem)."""
    return validate_model(model, read_yaml_mapping(path, what), str(path))


def load_settings(config_file: Path | None = None, **flags: Any) -> Settings:
    """Defaults < config.yaml < SEGSCRIBE_* environment < flags (None flags are ignored)."""
    file_values = read_yaml_mapping(config_file, "workspace config") \
        if config_file is not None and config_file.is_file() else {}
    validate_model(Settings, file_values, str(config_file))
    try:
        env = EnvSettings()
    except ValidationError as exc:
        raise ConfigError(f"environment: {one_line(exc, 'env')}") from None
    given = {k: v for k, v in flags.items() if v is not None}
    merged = {**file_values, **env.model_dump(include=env.model_fields_set), **given}
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise UsageError(one_line(exc, "flag")) from None


class CustomersTable(BaseModel):
    """`customers:` of corpus.yaml: a one-row-per-customer table to segment."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    path: str
    """Table file, relative to the corpus folder."""
    id: str = "customer_id"
    """Customer id column (links interviews and tickets to customers)."""
    value: str | None = None
    """Customer value column (revenue share)."""
    churn: str | None = None
    """Churn flag column (profiled, never a clustering feature)."""
    churn_true: str | None = None
    """The churn column's value that means churned."""
    numeric: list[str] | None = None
    """Numeric clustering features (default: detected)."""
    categorical: list[str] | None = None
    """Categorical clustering features (default: detected)."""
    method: Literal["kmeans", "ward"] = "kmeans"
    """kmeans or ward."""
    k: int | None = Field(default=None, ge=2, le=50)
    """Fixed number of clusters (default: best silhouette)."""
    bootstrap_rounds: int = Field(default=20, ge=0, le=1000)
    """Bootstrap rounds for cluster stability."""


class CorpusConfig(BaseModel):
    """`corpus.yaml` of an input folder: what its tables are and how to read them."""

    model_config = ConfigDict(extra="allow", use_attribute_docstrings=True)

    name: str | None = None
    product: str | None = None
    """The product or service studied (used in report titles)."""
    customers: CustomersTable | None = None
    accessible_attributes: list[str] | None = None
    """Attributes a team can target before a sale (for the accessible criterion)."""

    @property
    def title(self) -> str | None:
        return self.product or self.name


def inside(root: Path, relative: str, what: str) -> Path:
    """`root/relative`, refused when it points outside `root` (corpus.yaml may not read other folders)."""
    base = root.resolve()
    target = (base / relative).resolve()
    if not target.is_relative_to(base):
        raise ConfigError(f"{root / 'corpus.yaml'}: {what} path {relative!r} is outside the corpus folder; "
                          "keep tables inside it, or pass the file on the command line")
    return target


def load_corpus_config(inputs: list[Path]) -> tuple[CorpusConfig | None, Path | None]:
    """The validated `corpus.yaml` of a single input folder, with that folder, if it has one."""
    if len(inputs) == 1 and (inputs[0] / "corpus.yaml").is_file():
        path = inputs[0] / "corpus.yaml"
        return read_model(path, CorpusConfig, "corpus config"), inputs[0]
    return None, None
