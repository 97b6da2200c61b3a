"""The wheel installs one import package, `segscribe`, built from the project's top-level folders."""

from __future__ import annotations

import importlib
import tomllib

from factories import ROOT

SOURCE_FOLDERS = {"segscribe": "agent", "segscribe.schemas": "schemas", "segscribe.evals": "evals",
                  "segscribe.prompts": "prompts"}


def _setuptools() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_package_dir_maps_the_required_folders_into_one_package() -> None:
    assert _setuptools()["package-dir"] == SOURCE_FOLDERS


def test_package_list_matches_the_folders_on_disk() -> None:
    """Every folder with Python files (or prompt files) is listed, and every listed package exists."""
    on_disk: set[str] = set()
    for name, folder in SOURCE_FOLDERS.items():
        base = ROOT / folder
        for d in [base, *(p for p in base.rglob("*") if p.is_dir())]:
            if "__pycache__" in d.parts:
                continue
            if any(d.glob("*.py")) and (d == base or (d / "__init__.py").exists()):
                rel = d.relative_to(base).parts
                on_disk.add(".".join((name, *rel)))
    assert sorted(_setuptools()["packages"]) == sorted(on_disk)


def test_packages_import_and_no_generic_top_level_names() -> None:
    for name in _setuptools()["packages"]:
        assert importlib.import_module(name).__name__ == name
    for generic in ("agent", "evals", "prompts"):
        try:
            importlib.import_module(generic)
        except ImportError:
            continue
        raise AssertionError(f"a top-level package named {generic!r} is importable")


def test_prompts_ship_as_package_data() -> None:
    from segscribe.prompting import available_versions

    assert available_versions("extract_evidence")
