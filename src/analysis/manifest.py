"""manifest.json: what a publication was built from, so that it can be verified and cited."""
import hashlib
import json
import os
import subprocess
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from . import __version__
from .contract import TABLES, find_table_file
from .params import Params
from .project import REFERENCE_DIR, ROOT

PACKAGES = ("roret", "jupyter-book", "jupytext", "papermill", "pandas", "numpy", "pyarrow", "pandera",
            "seaborn", "matplotlib", "statsmodels", "sphinx", "myst-nb")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git(*args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def build_epoch() -> int:
    """SOURCE_DATE_EPOCH if set, else the time of the checked-out commit, else now."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return int(os.environ["SOURCE_DATE_EPOCH"])
    committed = _git("log", "-1", "--format=%ct")
    return int(committed) if committed else int(time.time())


def build_time() -> datetime:
    return datetime.fromtimestamp(build_epoch(), tz=timezone.utc)


def input_files(data: Path, params: Params) -> dict[str, Path]:
    """Every file a publication is computed from, by the name the manifest gives it."""
    inputs = {f"data/{path.name}": path for path in (find_table_file(Path(data), t) for t in TABLES)}
    inputs |= {f"reference/{path.name}": path for path in sorted(REFERENCE_DIR.glob("*.csv"))}
    return inputs | {"enhedspriser": Path(params.enhedspriser), "indsatstrappe": Path(params.indsatstrappe)}


def input_fingerprints(data: Path, params: Params) -> dict[str, str]:
    return {name: sha256(path) for name, path in input_files(data, params).items()}


def table_fingerprints(stage: Path) -> dict[str, str]:
    return {str(path.relative_to(stage)): sha256(path) for path in sorted((stage / "tables").glob("*.csv"))}


def write_manifest(stage: Path, data: Path, params: Params, synthetic: bool, inputs: dict[str, str],
                   kind: str) -> dict:
    """Write stage/manifest.json (after the tables) and return it; `inputs`: the inputs' SHA-256;
    `kind`: what `data` is (udtraek: an extract, resultatpakke: a result package)."""
    manifest = {
        "version": __version__,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "build_time": build_time().isoformat(),
        "parameters": params.to_dict(),
        "data": {"directory": str(Path(data).resolve()), "kind": kind, "synthetic": synthetic},
        "inputs": inputs,
        "packages": {name: version(name) for name in PACKAGES},
        "tables": table_fingerprints(stage),
        "disclosure": sha256(stage / "disclosure.json"),
    }
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _plain(value) -> str:
    """A parameter value as a reader writes it: 169, 265 · beskaeftigelse: 10 · ingen."""
    if value is None:
        return "ingen"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def _grouped(digest: str, size: int = 16) -> str:
    return " ".join(digest[i:i + size] for i in range(0, len(digest), size))


def describe(manifest: dict) -> dict[str, pd.DataFrame]:
    """The manifest as the reproducibility appendix shows it: build, parameters, inputs, packages.
    No local path is shown (the data directory by its name only), each input file is listed once,
    and each SHA-256 is written in groups of 16 characters, so that it wraps on a page."""
    parameters = {k: Path(v).name if k in ("enhedspriser", "indsatstrappe") else v
                  for k, v in manifest["parameters"].items()}
    inputs = {}  # each input once: a package's price file is also the parameter enhedspriser
    for name, digest in manifest["inputs"].items():
        if digest not in inputs.values():
            inputs[parameters[name] if name in ("enhedspriser", "indsatstrappe") else name] = digest
    build = {"version": manifest["version"], "git_commit": manifest["git_commit"] or "ukendt",
             "git_dirty": "ja" if manifest["git_dirty"] else "nej", "build_time": manifest["build_time"],
             "data": f"{Path(manifest['data']['directory']).name} ({manifest['data']['kind']})",
             "syntetisk": "ja" if manifest["data"]["synthetic"] else "nej"}
    return {
        "bygning": pd.DataFrame({"felt": list(build), "vaerdi": [str(v) for v in build.values()]}),
        "parametre": pd.DataFrame({"parameter": list(parameters), "vaerdi": [_plain(v) for v in parameters.values()]}),
        "input": pd.DataFrame({"fil": list(inputs), "sha256": [_grouped(h) for h in inputs.values()]}),
        "tabeller": pd.DataFrame({"fil": list(manifest["tables"]),
                                  "sha256": [_grouped(h) for h in manifest["tables"].values()]}),
        "pakker": pd.DataFrame({"pakke": list(manifest["packages"]), "version": list(manifest["packages"].values())}),
    }
