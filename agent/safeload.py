"""Load YAML, JSON and TOML written by someone else without letting it bite.

Every loader bounds the input size and nesting depth and rejects duplicate keys
(which would otherwise silently keep the last value). `load_yaml` also rejects
aliases by default (an 8-level alias "billion laughs" in 556 bytes expands to
hundreds of megabytes once serialised) and explicit tags beyond the plain
core types, and counts nodes as if every alias were expanded.

Errors are `LoadError` (a `SegscribeError`), whose message names the source and,
where the parser knows it, the line.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from segscribe.errors import ConfigError

YAML_MAX_BYTES = 1_000_000
"""Configs, analyst sheets and front matter are a few KB; 1 MB leaves room and stops bombs."""
MAX_DEPTH = 32
MAX_NODES = 100_000

_CORE = "tag:yaml.org,2002:"
#: Explicit tags that only restate a plain type; anything else (binary, set, python/*, custom) is refused.
ALLOWED_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map"))


class LoadError(ConfigError):
    """A YAML/JSON/TOML text is malformed, too large, too deep, or uses a refused feature."""


def fix_surrogates(value: Any) -> Any:
    """Join escaped surrogate pairs ("\\ud83d\\ude00") and replace lone ones with U+FFFD, in every string.

    YAML and JSON escapes can produce lone surrogates, which no UTF-8 file or SQLite text can hold.
    """
    if isinstance(value, str):
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [fix_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {fix_surrogates(k): fix_surrogates(v) for k, v in value.items()}
    return value


def _check_size(text: str, source: str, max_bytes: int) -> None:
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > max_bytes:
        raise LoadError(f"{source}: {size:,} bytes is over the {max_bytes:,}-byte limit for this file; "
                        "shorten it")


# --------------------------------------------------------------------------- YAML


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and odd tags, and bounds depth and node count while composing."""

    def __init__(self, text: str, *, source: str, max_depth: int, max_nodes: int, allow_aliases: bool) -> None:
        super().__init__(text)
        self.source, self.max_depth, self.max_nodes = source, max_depth, max_nodes
        self.allow_aliases = allow_aliases
        self.depth = 0
        self.nodes = 0

    def _fail(self, what: str, event: Any) -> LoadError:
        line = getattr(getattr(event, "start_mark", None), "line", None)
        where = f" (line {line + 1})" if line is not None else ""
        return LoadError(f"{self.source}: not valid YAML: {what}{where}")

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and not self.allow_aliases:
            raise self._fail(f"alias *{event.anchor} is not allowed here; write the value out", event)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!") and tag not in ALLOWED_TAGS:
            raise self._fail(f"tag {tag!r} is not allowed; remove it and write a plain value", event)
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self._fail(f"more than {self.max_nodes:,} values; shorten the file", event)
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise self._fail(f"nested deeper than {self.max_depth} levels; flatten it", event)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == _CORE + "merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:
                    continue  # unhashable key: the base constructor reports it
                if first != key_node.start_mark.line + 1:
                    raise LoadError(f"{self.source}: not valid YAML: duplicate key {key!r} "
                                    f"(line {key_node.start_mark.line + 1}, "
                                    f"first at line {first}); keep one")
        return super().construct_mapping(node, deep=deep)


def _expanded_size(root: Any, source: str, max_nodes: int, max_depth: int) -> None:
    """Walk the node graph counting aliased nodes at every use, so shared subtrees cannot multiply."""
    stack: list[tuple[Any, int]] = [(root, 1)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise LoadError(f"{source}: YAML aliases expand to more than {max_nodes:,} values; write it out plainly")
        if depth > max_depth:
            raise LoadError(f"{source}: YAML aliases nest deeper than {max_depth} levels; flatten it")
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.extend(((k, depth + 1), (v, depth + 1)))


def load_yaml(text: str, *, source: str, max_bytes: int = YAML_MAX_BYTES, max_depth: int = MAX_DEPTH,
              max_nodes: int = MAX_NODES, allow_aliases: bool = False) -> Any:
    """Parse one YAML document safely (see the module docstring); raise LoadError when refused."""
    _check_size(text, source, max_bytes)
    loader = _BoundedLoader(text, source=source, max_depth=max_depth, max_nodes=max_nodes,
                            allow_aliases=allow_aliases)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if allow_aliases:
            _expanded_size(node, source, max_nodes, max_depth)
        return fix_surrogates(loader.construct_document(node))
    except yaml.YAMLError as exc:
        raise LoadError(f"{source}: not valid YAML: {_yaml_message(exc)}") from None
    except RecursionError:
        raise LoadError(f"{source}: YAML nested too deeply; flatten it") from None
    finally:
        loader.dispose()


def _yaml_message(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return f"{exc.problem or exc.context} (line {exc.problem_mark.line + 1})"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def load_yaml_mapping(text: str, *, source: str, **limits: Any) -> dict[str, Any]:
    """`load_yaml` for files that must hold a mapping (empty file = empty mapping)."""
    data = load_yaml(text, source=source, **limits)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise LoadError(f"{source}: expected a YAML mapping (key: value lines), got a {type(data).__name__}")
    return data


# --------------------------------------------------------------------------- JSON


def _no_duplicates(source: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise LoadError(f"{source}: duplicate JSON key {k!r}; keep one")
            out[k] = v
        return out

    return hook


def json_depth(value: Any) -> int:
    """Nesting depth of parsed JSON (a scalar is 0), without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, d = stack.pop()
        deepest = max(deepest, d)
        if isinstance(v, dict):
            stack.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, d + 1) for x in v)
    return deepest


def load_json(text: str, *, source: str, max_bytes: int = 50_000_000, max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON, refusing duplicate keys, excessive size and excessive nesting."""
    _check_size(text, source, max_bytes)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates(source))
    except json.JSONDecodeError as exc:
        raise LoadError(f"{source}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise LoadError(f"{source}: JSON nested too deeply; flatten it") from None
    if json_depth(data) > max_depth:
        raise LoadError(f"{source}: JSON nested deeper than {max_depth} levels; flatten it")
    return fix_surrogates(data)


# --------------------------------------------------------------------------- TOML


def load_toml(text: str, *, source: str, max_bytes: int = YAML_MAX_BYTES, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    """Parse TOML (tomllib already refuses duplicate keys, as the TOML spec demands), bounded like the rest."""
    import tomllib

    _check_size(text, source, max_bytes)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise LoadError(f"{source}: TOML nested too deeply; flatten it") from None
    if json_depth(data) > max_depth:
        raise LoadError(f"{source}: TOML nested deeper than {max_depth} levels; flatten it")
    return data
