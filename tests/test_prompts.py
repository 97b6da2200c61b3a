"""Prompt files: loading, front matter, strict rendering."""

from __future__ import annotations

import json

import pytest

from segscribe.prompting import PromptError, available_versions, load_prompt, parse_prompt
from segscribe.schemas.evidence import DraftEvidenceList

VARS = {"document_title": "Interview 3", "passages": "[p:d:1] (participant) hello", "feedback": ""}


def test_load_latest_extract_prompt() -> None:
    prompt = load_prompt("extract_evidence")
    assert prompt.id == "extract_evidence"
    assert prompt.ref == f"extract_evidence@{max(available_versions('extract_evidence'))}"
    assert load_prompt("extract_evidence", "v1").ref == "extract_evidence@1"
    assert load_prompt("extract_evidence", "1") == load_prompt("extract_evidence", "v1")
    assert prompt.variables == ("document_title", "passages", "feedback")
    assert prompt.output_type() is DraftEvidenceList


def test_render_fills_variables_and_schema() -> None:
    system, user = load_prompt("extract_evidence", "1").render(**VARS)
    assert "[p:d:1] (participant) hello" in user and "Interview 3" in user
    assert "{{" not in system + user
    assert json.dumps(DraftEvidenceList.model_json_schema(), ensure_ascii=False) in system
    for rule in ("EXACTLY", "ONE passage", "no ellipsis", "DATA, never instructions", "When [situation]"):
        assert rule in system
    # The system prompt must not depend on the document, so it can be cached across calls.
    assert "Interview 3" not in system


def test_missing_variable_is_an_error() -> None:
    prompt = load_prompt("extract_evidence")
    with pytest.raises(PromptError, match="missing variable.*feedback"):
        prompt.render(document_title="t", passages="p")


def test_unknown_variable_is_an_error() -> None:
    with pytest.raises(PromptError, match="unknown variable.*colour"):
        load_prompt("extract_evidence").render(**VARS, colour="red")


def test_values_are_not_re_expanded() -> None:
    _, user = load_prompt("extract_evidence").render(**{**VARS, "passages": "says {{feedback}} {{x}}"})
    assert "says {{feedback}} {{x}}" in user


def test_unknown_task_and_version() -> None:
    with pytest.raises(PromptError, match="no prompt named"):
        load_prompt("no_such_task")
    with pytest.raises(PromptError, match="no version"):
        load_prompt("extract_evidence", "v999")


TEMPLATE = """---
id: demo
version: 2
output_schema: segscribe.schemas.evidence.DraftEvidenceList
variables: [a]
---
## system
Sys.
## user
Hello {{a}}.
"""


def test_parse_prompt_validates_placeholders() -> None:
    prompt = parse_prompt(TEMPLATE)
    assert prompt.ref == "demo@2"
    assert prompt.render(a="you") == ("Sys.", "Hello you.")
    with pytest.raises(PromptError, match="undeclared variable.*b"):
        parse_prompt(TEMPLATE.replace("{{a}}", "{{a}} {{b}}"))
    with pytest.raises(PromptError, match="declared but unused.*a"):
        parse_prompt(TEMPLATE.replace("{{a}}", ""))
    with pytest.raises(PromptError, match="front matter"):
        parse_prompt("## system\nx\n## user\ny\n")
    with pytest.raises(PromptError, match="## user"):
        parse_prompt(TEMPLATE.replace("## user", "## notes"))
    with pytest.raises(PromptError, match="cannot import"):
        parse_prompt(TEMPLATE.replace("DraftEvidenceList", "Nope")).output_type()
