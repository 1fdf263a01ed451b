"""manifest.json: what a publication was built from, so that it can be verified and cited."""
import hashlib
import json
import os
import subprocess
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from . import __version__
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


def write_manifest(stage: Path, data: Path, extract_files: list[Path], params: Params, synthetic: bool) -> dict:
    """Write stage/manifest.json and return it."""
    inputs = {f"data/{path.name}": path for path in extract_files}
    inputs |= {f"reference/{path.name}": path for path in sorted(REFERENCE_DIR.glob("*.csv"))}
    inputs |= {"enhedspriser": params.enhedspriser, "indsatstrappe": params.indsatstrappe}
    manifest = {
        "version": __version__,
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "build_time": build_time().isoformat(),
        "parameters": params.to_dict(),
        "data": {"directory": str(Path(data).resolve()), "synthetic": synthetic},
        "inputs": {name: sha256(Path(path)) for name, path in inputs.items()},
        "packages": {name: version(name) for name in PACKAGES},
        "tables": {str(path.relative_to(stage)): sha256(path) for path in sorted((stage / "tables").glob("*.csv"))},
        "disclosure": sha256(stage / "disclosure.json"),
    }
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest
