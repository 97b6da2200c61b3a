"""`segment` and `score` through Typer's CliRunner, on the real app."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from segscribe.cli.main import app

runner = CliRunner()


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    tx = pd.DataFrame(
        {
            "InvoiceNo": ["1", "2", "C3", "4", "5", "6", "7"],
            "Quantity": [1, 2, -1, 3, 1, 5, 2],
            "InvoiceDate": [
                "2024-01-01",
                "2024-01-05",
                "2024-01-06",
                "2024-01-09",
                "2024-01-10",
                "2024-02-01",
                "2024-02-02",
            ],
            "UnitPrice": [10.0, 5.0, 5.0, 2.0, 50.0, 1.0, 3.0],
            "CustomerID": ["1.0", "1.0", "1.0", "2.0", "3.0", "", "4.0"],
        }
    )
    customers = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(12)],
            "plan": ["pro", "basic"] * 6,
            "seats": [50, 2, 60, 3, 55, 1, 70, 2, 65, 4, 52, 3],
            "revenue": [500.0, 20.0, 600.0, 30.0, 550.0, 10.0, 700.0, 20.0, 650.0, 40.0, 520.0, 30.0],
            "churn": ["No", "Yes"] * 6,
        }
    )
    paths = {
        "tx": tmp_path / "tx.csv",
        "customers": tmp_path / "customers.csv",
        "rules": tmp_path / "rules.yaml",
        "sheet": tmp_path / "sheet.yaml",
        "seg": tmp_path / "out" / "seg.json",
    }
    tx.to_csv(paths["tx"], index=False)
    customers.to_csv(paths["customers"], index=False)
    paths["rules"].write_text(
        "value_column: revenue\nchurn_column: churn\nrules:\n"
        "  - {name: Teams, rule: 'seats >= 50 and plan == \"pro\"'}\n"
        "  - {name: Solo, rule: 'seats < 3'}\ncatch_all: Other\n",
        encoding="utf-8",
    )
    paths["sheet"].write_text(
        "preset: matrix4\nsegments:\n"
        "  Teams: {fit: 8, accessibility: 7, strategic_value: 9}\n"
        "  Solo: {fit: 5, accessibility: 8, strategic_value: 4}\n"
        "  Other: {fit: 3, accessibility: 3, strategic_value: 3}\n"
        "sensitivity: {samples: 50}\n",
        encoding="utf-8",
    )
    return paths


def test_segment_rfm_json(files: dict[str, Path]) -> None:
    res = runner.invoke(app, ["segment", "--transactions", str(files["tx"]), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["method"] == "rfm"
    assert data["quality"]["rows_blank_customer"] == 1 and data["quality"]["customers"] == 4
    assert data["assignment"]["total"] == 4


def test_segment_rules_table_then_score(files: dict[str, Path]) -> None:
    res = runner.invoke(
        app,
        [
            "segment",
            "--customers",
            str(files["customers"]),
            "--method",
            "rules",
            "--config",
            str(files["rules"]),
            "--out",
            str(files["seg"]),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Teams" in res.stdout and "MECE: ok" in res.stdout and files["seg"].is_file()
    res = runner.invoke(
        app, ["score", "--segmentation", str(files["seg"]), "--analyst", str(files["sheet"]), "--json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["name"] for r in data["ranked"]][0] == "Teams"
    teams = data["ranked"][0]["factors"]
    assert teams[0]["factor"] == "attractiveness" and teams[0]["source"] == "data"
    assert data["sensitivity"]["samples"] == 50
    again = runner.invoke(
        app, ["score", "--segmentation", str(files["seg"]), "--analyst", str(files["sheet"]), "--json"]
    )
    assert again.stdout == res.stdout  # byte-identical
    table = runner.invoke(
        app, ["score", "--segmentation", str(files["seg"]), "--analyst", str(files["sheet"])]
    )
    assert table.exit_code == 0 and "Tier" in table.stdout


def test_segment_kmeans_table(files: dict[str, Path]) -> None:
    res = runner.invoke(
        app,
        [
            "segment",
            "--customers",
            str(files["customers"]),
            "--k",
            "2",
            "--bootstrap",
            "3",
            "--churn-column",
            "churn",
            "--value-column",
            "revenue",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "Cluster 1" not in res.stdout and "Segments (kmeans" in res.stdout


def test_score_from_sheet_only(files: dict[str, Path], tmp_path: Path) -> None:
    sheet = tmp_path / "w.yaml"
    sheet.write_text(
        "preset: workshop4\nsegments:\n"
        "  Enterprise accounts: {business_value: 5, size: 3, data_availability: 5, differentiation: 5}\n"
        "  Churn risk: {business_value: 5, size: 2, data_availability: 4, differentiation: 5}\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["score", "--analyst", str(sheet), "--json", "--samples", "10"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [(r["name"], r["total"], r["tier"]) for r in data["ranked"]] == [
        ("Enterprise accounts", 18.0, "High"),
        ("Churn risk", 16.0, "High"),
    ]


def test_errors_are_one_line_with_exit_code_2(files: dict[str, Path], tmp_path: Path) -> None:
    res = runner.invoke(app, ["segment"])
    assert res.exit_code == 2 and "exactly one of --transactions" in res.output
    res = runner.invoke(app, ["segment", "--customers", str(tmp_path / "nope.csv")])
    assert res.exit_code == 2 and "no such file" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    res = runner.invoke(
        app, ["segment", "--customers", str(files["customers"]), "--method", "rules", "--json"]
    )
    assert res.exit_code == 2 and "rules" in res.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("segments:\n  Teams: {fit: 8}\n", encoding="utf-8")
    res = runner.invoke(app, ["score", "--segmentation", str(files["seg"]), "--analyst", str(bad)])
    assert res.exit_code == 2  # the segmentation file does not exist yet
    assert "segscribe segment" in res.stderr
    runner.invoke(
        app,
        [
            "segment",
            "--customers",
            str(files["customers"]),
            "--method",
            "rules",
            "--config",
            str(files["rules"]),
            "--out",
            str(files["seg"]),
        ],
    )
    res = runner.invoke(app, ["score", "--segmentation", str(files["seg"]), "--analyst", str(bad)])
    assert res.exit_code == 2 and "missing score for factor 'accessibility'" in res.stderr
    res = runner.invoke(app, ["score", "--analyst", str(files["sheet"]), "--samples", "-1"])
    assert res.exit_code == 2 and "samples" in res.stderr
    res = runner.invoke(app, ["score", "--analyst", str(files["sheet"]), "--preset", "nine"])
    assert res.exit_code == 2 and "unknown preset" in res.output
