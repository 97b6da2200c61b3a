"""Provider specs (`anthropic:<model-id>`, `openai-compat:<model>`) to chat models.

The default provider is always `offline`. Having `ANTHROPIC_API_KEY` in the environment does NOT switch to
Anthropic: sending research data to an external API must be explicit (`--provider anthropic:claude-sonnet-4-6`,
`provider:` in config.yaml or `SEGSCRIBE_PROVIDER`, all read by `segscribe.config`). Keys are read here from
the environment and never stored. `offline` and `scripted` are not chat models and are constructed by the
caller.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from segscribe.errors import NeedsKeyError, ProviderError
from segscribe.providers.base import ChatModel

VALID_SPECS = ("offline", "anthropic:<model-id>", "openai-compat:<model>")
DEFAULT_OPENAI_COMPAT_URL = "http://localhost:11434/v1"
"""Ollama's OpenAI-compatible endpoint; llama.cpp server is usually http://localhost:8080/v1."""

BASE_URL_ENV = "SEGSCRIBE_BASE_URL"
# A dedicated variable rather than OPENAI_API_KEY, so a real OpenAI key is never sent to a local server.
OPENAI_COMPAT_KEY_ENV = "SEGSCRIBE_OPENAI_COMPAT_API_KEY"


def split_spec(spec: str) -> tuple[str, str]:
    """`"openai-compat:qwen2.5:7b"` -> `("openai-compat", "qwen2.5:7b")` (model ids may contain ':')."""
    kind, _, model = spec.strip().partition(":")
    return kind.strip().lower(), model.strip()


def make_chat(
    spec: str,
    *,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> ChatModel:
    """Build the chat model named by `spec`. `options` go to the provider constructor
    (e.g. `max_retries`, `concurrency`, `timeout`, `http_client`)."""
    env = os.environ if env is None else env
    kind, model = split_spec(spec)
    if kind in ("offline", "scripted"):
        raise ProviderError(f"{kind!r} is not a chat model; the caller builds it directly")
    if kind not in ("anthropic", "openai-compat"):
        raise ProviderError(f"Unknown provider {spec!r}. Valid: {', '.join(VALID_SPECS)}")
    if not model:
        example = "claude-sonnet-4-6" if kind == "anthropic" else "qwen2.5:7b"
        raise ProviderError(f"Provider {spec!r} needs a model, e.g. {kind}:{example}")
    if kind == "anthropic":
        from segscribe.providers.anthropic import NO_KEY_MESSAGE, AnthropicChat

        key = options.pop("api_key", None) or env.get("ANTHROPIC_API_KEY")
        if not key:  # checked here so an explicit `env` is honoured (AnthropicChat reads os.environ)
            raise NeedsKeyError(NO_KEY_MESSAGE)
        return AnthropicChat(model, api_key=key, base_url=base_url, **options)
    from segscribe.providers.openai_compat import OpenAICompatChat

    url = base_url or env.get(BASE_URL_ENV) or DEFAULT_OPENAI_COMPAT_URL
    key = options.pop("api_key", None) or env.get(OPENAI_COMPAT_KEY_ENV)
    return OpenAICompatChat(model, url, api_key=key, **options)
