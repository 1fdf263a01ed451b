"""Packaging: pinned dependencies, environment.yml in step with pyproject.toml."""
import tomllib

import yaml

from analysis.project import ROOT


def test_environment_yml_pins_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = set(project["dependencies"]).union(*project["optional-dependencies"].values())
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert {p for p in pip if not p.startswith("-e")} == declared


def test_every_dependency_is_pinned_and_jupyter_book_is_1x():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"] + sum(project["optional-dependencies"].values(), []):
        assert "==" in requirement, requirement
    book = next(r for r in project["dependencies"] if r.startswith("jupyter-book"))
    assert book.split("==")[1].startswith("1.")


def test_console_script_and_layout():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["roret"] == "analysis.cli:main"
    for path in ("book", "notebooks", "src/analysis", "data/reference", "_config.yml", "_toc.yml", "tests",
                 "environment.yml", "README.md", "CHANGELOG.md", ".ci/run"):
        assert (ROOT / path).exists(), path
