"""`roret verify OUT`: recompute a publication from its manifest and compare it cell by cell,
and rebuild its HTML and PDF and compare them page by page."""
import json
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import nbformat
import pandas as pd

from .build import FromExtract, FromPackage, kernel_environment, write_computed
from .contract import load_extract
from .execution import execute_notebooks, notebook_parameters, notebook_sources
from .errors import RoretError
from .manifest import input_files, sha256
from .leakscan import pdf_text
from .package import is_package, read_package, write_package
from .registry import compute_package
from .params import Params
from .publication import build_book

MAX_CELLS_SHOWN = 5
BUILD_STATE = (".buildinfo",)  # Sphinx's record of its configuration, which names the staging directory


def read_manifest(out: Path) -> dict:
    path = Path(out) / "manifest.json"
    if not path.is_file():
        raise RoretError(f"{path}: no manifest — is {out} the output of `roret build`?")
    return json.loads(path.read_text(encoding="utf-8"))


def changed_inputs(manifest: dict, data: Path, params: Params) -> list[str]:
    """Input files whose fingerprint differs from the manifest's."""
    current = input_files(data, params)
    return [f"input {name} changed (sha256 {manifest['inputs'].get(name, 'none')[:12]}… → {sha256(path)[:12]}…)"
            for name, path in current.items() if manifest["inputs"].get(name) != sha256(path)]


def table_differences(name: str, published: Path, recomputed: Path) -> list[str]:
    """The first differing cells of one table, or its change of shape."""
    old, new = (pd.read_csv(p, dtype=str, keep_default_na=False) for p in (published, recomputed))
    if list(old.columns) != list(new.columns) or len(old) != len(new):
        return [f"table {name}: shape {len(old)}×{list(old.columns)} → {len(new)}×{list(new.columns)}"]
    differs = old.ne(new)
    cells = [(row, column) for row, column in zip(*differs.to_numpy().nonzero())]
    found = [f"table {name}, row {row + 2}, column '{old.columns[column]}': "
             f"{old.iat[row, column] or '(tom)'} → {new.iat[row, column] or '(tom)'}"
             for row, column in cells[:MAX_CELLS_SHOWN]]
    return found + ([f"table {name}: … {len(cells) - MAX_CELLS_SHOWN} more cell(s)"]
                    if len(cells) > MAX_CELLS_SHOWN else [])


def _outputs(path: Path) -> list[list[dict]]:
    notebook = nbformat.read(path, as_version=4)
    return [[{k: v for k, v in output.items() if k != "execution_count"} for output in cell.get("outputs", [])]
            for cell in notebook.cells]


def notebook_differences(name: str, published: Path, recomputed: Path) -> list[str]:
    """The first cell whose outputs differ between two executed notebooks."""
    old, new = _outputs(published), _outputs(recomputed)
    if len(old) != len(new):
        return [f"notebook {name}: {len(old)} cells → {len(new)} cells"]
    for number, (before, after) in enumerate(zip(old, new), start=1):
        if before != after:
            return [f"notebook {name}, cell {number}: outputs differ"]
    return []


def compare(out: Path, fresh: Path) -> list[str]:
    """Every difference between a publication `out` and its recomputation `fresh`."""
    found = []
    for directory, suffix, differences in (("tables", ".csv", table_differences),
                                           ("notebooks", ".ipynb", notebook_differences)):
        published = {p.name: p for p in (out / directory).glob(f"*{suffix}")}
        recomputed = {p.name: p for p in (fresh / directory).glob(f"*{suffix}")}
        for name in sorted(published.keys() ^ recomputed.keys()):
            where = "the publication" if name in published else "the recomputation"
            found.append(f"{directory[:-1]} {name}: only in {where}")
        for name in sorted(published.keys() & recomputed.keys()):
            if sha256(published[name]) != sha256(recomputed[name]):
                found += differences(name, published[name], recomputed[name]) or \
                    [f"{directory[:-1]} {name}: files differ (outputs equal)"]
    if sha256(out / "disclosure.json") != sha256(fresh / "disclosure.json"):
        found.append("disclosure.json: different cells suppressed")
    return found


def book_differences(out: Path, fresh: Path) -> list[str]:
    """The HTML files (byte for byte) and PDFs, the HTML's copy included (by their text: the file
    itself holds its build's time and id), that differ between a publication and its rebuild."""
    found = []
    files = {directory: {str(p.relative_to(directory)): p for p in directory.rglob("*")
                         if p.is_file() and p.name not in BUILD_STATE}
             for directory in (out / "html", fresh / "html")}
    published, rebuilt = files[out / "html"], files[fresh / "html"]
    for name in sorted(published.keys() ^ rebuilt.keys()):
        found.append(f"html/{name}: only in {'the publication' if name in published else 'the rebuild'}")
    found += [f"html/{name}: differs from its rebuild" for name in sorted(published.keys() & rebuilt.keys())
              if (pdf_text(published[name]) != pdf_text(rebuilt[name]) if name.endswith(".pdf")
                  else sha256(published[name]) != sha256(rebuilt[name]))]
    for pdf in sorted((out / "pdf").glob("*.pdf")):
        again = fresh / "pdf" / pdf.name
        if not again.is_file() or pdf_text(pdf) != pdf_text(again):
            found.append(f"pdf/{pdf.name}: its text differs from the rebuild's")
    return found


def published_tables_intact(out: Path, manifest: dict) -> list[str]:
    """Tables in OUT that no longer match the fingerprints their manifest recorded."""
    return [f"table {name}: changed since publication (sha256 differs from manifest.json)"
            for name, digest in manifest["tables"].items()
            if not (out / name).is_file() or sha256(out / name) != digest]


def verify_package(directory: Path, data: Path, progress: Callable[[str], None] = print) -> list[str]:
    """Recompute a result package from its extract (inside DST) and compare every table and the
    disclosure audit; return every difference (none = verified)."""
    package, manifest = read_package(directory)  # fails naming a missing or changed package file
    progress(f"loading and validating {data}")
    source = FromExtract(Path(data).resolve(), load_extract(data))
    inputs = source.fingerprints(package.params)
    found = [f"input {name} changed (sha256 {manifest['inputs'].get(name, 'none')[:12]}… → {digest[:12]}…)"
             for name, digest in inputs.items() if manifest["inputs"].get(name) != digest]
    with tempfile.TemporaryDirectory(prefix="roret-verify-") as scratch:
        fresh = Path(scratch)
        write_package(compute_package(source.extract, package.params, progress), fresh, inputs, source.synthetic)
        for path in sorted((directory / "tables").glob("*.csv")):
            again = fresh / "tables" / path.name
            if not again.is_file():
                found.append(f"table {path.name}: only in the package")
            elif sha256(path) != sha256(again):
                found += table_differences(path.name, path, again)
        if sha256(directory / "disclosure.json") != sha256(fresh / "disclosure.json"):
            found.append("disclosure.json: different cells suppressed")
    return found


def verify(out: Path, data: Path | None = None, progress: Callable[[str], None] = print) -> list[str]:
    """Recompute `out` (a publication, or a result package given its extract) from its manifest's
    parameters and data; return every difference (none = verified)."""
    out = Path(out).resolve()
    if is_package(out):
        if data is None:
            raise RoretError(f"{out} is a result package: give the extract it was made from with --data")
        return verify_package(out, data, progress)
    manifest = read_manifest(out)
    params = Params.from_mapping(manifest["parameters"])
    data = Path(data or manifest["data"]["directory"]).resolve()
    found = published_tables_intact(out, manifest)
    if manifest["data"].get("kind") == "resultatpakke":
        package, package_manifest = read_package(data)  # fails naming a missing or changed package file
        source = FromPackage(data, package, package_manifest)
        found += [f"input {name} changed" for name, digest in source.fingerprints(params).items()
                  if manifest["inputs"].get(name) != digest]
    else:
        found += changed_inputs(manifest, data, params)
        progress(f"loading and validating {data}")
        source = FromExtract(data, load_extract(data))
    epoch = int(datetime.fromisoformat(manifest["build_time"]).timestamp())
    with tempfile.TemporaryDirectory(prefix="roret-verify-") as scratch, kernel_environment(epoch):
        fresh = Path(scratch)
        write_computed(source, fresh, params, progress)
        execute_notebooks(fresh, notebook_parameters(params, source.synthetic), notebook_sources(), progress)
        found += compare(out, fresh)
        if (out / "html").is_dir():
            build_book(fresh, params.kommune, source.synthetic, (out / "pdf").is_dir(), progress)
            found += book_differences(out, fresh)
    return found
