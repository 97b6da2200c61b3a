"""CI gate on real data no one here wrote: published findings rediscovered, voices, evidence kinds.

Needs ../shared/data (skipped cleanly when absent). Thresholds and where they were measured:
evals/real_thresholds.yaml.
"""

from __future__ import annotations

import pytest

from factories import shared

pytestmark = pytest.mark.shared_data


def test_real_data_gates_hold() -> None:
    from segscribe.evals.gates import gate_real_data

    data = shared("research_studies").parent
    shared("interviews_creatives/transcripts.csv")
    result, failures = gate_real_data(data)
    assert not failures, failures
    studies = result["studies"]
    assert studies["notes_shown_as_quote"] == 0
    for s in studies["studies"]:
        assert s["findings"] >= 1 and s["recall"]["rediscovered"] >= 1, s["study"]
