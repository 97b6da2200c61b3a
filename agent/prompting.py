"""Versioned prompt files: `prompts/<task>/v<N>.md`, shipped as package data.

A prompt file is YAML front matter between `---` lines (`id`, `version`,
`output_schema` as a dotted path, `variables`, optional `description`) and a
body with a `## system` section and a `## user` section. Variables are written
`{{name}}`. `{{output_schema}}` is reserved: it is filled with the JSON schema
of the output type, so the fixed (cacheable) system prompt carries it.

Rendering is strict: a missing variable, an unexpected one, or a placeholder the
front matter does not declare is an error, never a silent blank.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from pydantic import BaseModel

from segscribe.errors import PromptError
from segscribe.safeload import load_yaml

PROMPTS_PACKAGE = "segscribe.prompts"
SCHEMA_VARIABLE = "output_schema"
_VAR = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n(.*)\Z", re.DOTALL)
_SECTION = re.compile(r"^##[ \t]+(system|user)[ \t]*$", re.MULTILINE | re.IGNORECASE)
_FILE = re.compile(r"^v(\d+)\.md$")




@dataclass(frozen=True)
class Prompt:
    id: str
    version: int
    output_schema: str
    """Dotted path of the pydantic output model, e.g. `segscribe.schemas.evidence.DraftEvidenceList`."""
    variables: tuple[str, ...]
    system_template: str
    user_template: str
    description: str = ""

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"

    def output_type(self) -> type[BaseModel]:
        module_name, _, attr = self.output_schema.rpartition(".")
        try:
            obj = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError, ValueError) as exc:
            raise PromptError(f"{self.ref}: cannot import output_schema {self.output_schema!r}") from exc
        if not (isinstance(obj, type) and issubclass(obj, BaseModel)):
            raise PromptError(f"{self.ref}: output_schema {self.output_schema!r} is not a pydantic model")
        return obj

    def render(self, **variables: Any) -> tuple[str, str]:
        """(system, user) with every `{{name}}` replaced; values are inserted verbatim, never re-expanded."""
        missing = [v for v in self.variables if v not in variables]
        extra = sorted(set(variables) - set(self.variables))
        if missing:
            raise PromptError(f"{self.ref}: missing variable(s) {', '.join(missing)}")
        if extra:
            raise PromptError(f"{self.ref}: unknown variable(s) {', '.join(extra)}")
        values = {k: str(v) for k, v in variables.items()}
        if SCHEMA_VARIABLE in _placeholders(self.system_template + self.user_template):
            values[SCHEMA_VARIABLE] = json.dumps(self.output_type().model_json_schema(), ensure_ascii=False)
        # One regex pass: a value that itself contains `{{x}}` is left alone.
        fill = functools.partial(_VAR.sub, lambda m: values[m.group(1)])
        return fill(self.system_template), fill(self.user_template)


def _task_folder(task: str) -> Traversable:
    folder = resources.files(PROMPTS_PACKAGE).joinpath(task)
    if not folder.is_dir():
        raise PromptError(f"no prompt named {task!r} in the {PROMPTS_PACKAGE} package")
    return folder


def available_versions(task: str) -> list[int]:
    folder = _task_folder(task)
    return sorted(int(m.group(1)) for f in folder.iterdir() if (m := _FILE.match(f.name)))


@functools.lru_cache(maxsize=64)
def load_prompt(task: str, version: str | None = None) -> Prompt:
    """`prompts/<task>/v<N>.md`; `version` may be `"2"` or `"v2"`; None means the latest."""
    versions = available_versions(task)
    if not versions:
        raise PromptError(f"prompt {task!r} has no v<N>.md files")
    number = versions[-1] if version is None else _version_number(version)
    if number not in versions:
        raise PromptError(f"prompt {task!r} has no version {version!r} (have {versions})")
    text = _task_folder(task).joinpath(f"v{number}.md").read_text(encoding="utf-8")
    prompt = parse_prompt(text, source=f"{task}/v{number}.md")
    if prompt.version != number:
        raise PromptError(f"{task}/v{number}.md declares version {prompt.version}")
    return prompt


def parse_prompt(text: str, *, source: str = "<string>") -> Prompt:
    match = _FRONT.match(text.replace("\r\n", "\n"))
    if not match:
        raise PromptError(f"{source}: missing YAML front matter between '---' lines")
    meta = load_yaml(match.group(1), source=f"{source} front matter") or {}
    if not isinstance(meta, dict):
        raise PromptError(f"{source}: front matter must be a mapping")
    for key in ("id", "version", "output_schema", "variables"):
        if key not in meta:
            raise PromptError(f"{source}: front matter lacks {key!r}")
    system, user = _sections(match.group(2), source)
    variables = tuple(str(v) for v in meta["variables"] or ())
    _check_placeholders(system + user, variables, source)
    return Prompt(
        id=str(meta["id"]),
        version=_version_number(str(meta["version"])),
        output_schema=str(meta["output_schema"]),
        variables=variables,
        system_template=system,
        user_template=user,
        description=str(meta.get("description") or "").strip(),
    )


def _sections(body: str, source: str) -> tuple[str, str]:
    parts = _SECTION.split(body)
    # split() yields [preamble, name1, text1, name2, text2, ...]
    sections = {parts[i].lower(): parts[i + 1].strip("\n") for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"} or len(parts) != 5:
        raise PromptError(f"{source}: body needs exactly one '## system' and one '## user' section")
    return sections["system"].strip(), sections["user"].strip()


def _check_placeholders(template: str, variables: tuple[str, ...], source: str) -> None:
    used = _placeholders(template)
    undeclared = used - set(variables) - {SCHEMA_VARIABLE}
    unused = set(variables) - used
    if SCHEMA_VARIABLE in variables:
        raise PromptError(f"{source}: {SCHEMA_VARIABLE!r} is filled automatically; do not declare it")
    if undeclared:
        raise PromptError(f"{source}: undeclared variable(s) {', '.join(sorted(undeclared))}")
    if unused:
        raise PromptError(f"{source}: declared but unused variable(s) {', '.join(sorted(unused))}")


def _placeholders(template: str) -> set[str]:
    return set(_VAR.findall(template))


def _version_number(version: str) -> int:
    text = version.strip().lower().removeprefix("v")
    if not text.isdigit():
        raise PromptError(f"bad prompt version {version!r}: expected N or vN")
    return int(text)
