"""The result package on disk: written inside DST (`roret package`), read anywhere (`build --pakke`).

PKG/tables/*.csv        the package tables (every area, suppressed cells empty) and SØM's
PKG/disclosure.json     every suppressed cell with its rule
PKG/enhedspriser.csv, PKG/indsatstrappe.csv   the price and staircase files it was made with
PKG/LAESMIG.md          for DST's output checker (Danish)
PKG/kontrol.xlsx        every published value, the counts it rests on, every suppression (Danish)
PKG/manifest.json       version, parameters, SHA-256 of the inputs and of every file above
"""
import json
import shutil
from dataclasses import fields
from pathlib import Path

import pandas as pd

from . import __version__
from .errors import RoretError
from .kontrol import write_kontrol
from .manifest import build_time, sha256
from .params import Params, ParamsError
from .registry import PACKAGE_TABLES, SOM_TABLES, Package
from .staircase import load_staircase

FORMAT = "roret-resultatpakke"
FORMAT_VERSION = 2  # raised whenever a package of the previous format cannot be read
SYNTHETIC_MARKER = "syntetisk.json"
# Parameters the package's counts depend on: a book may not change them (they need the microdata).
FIXED = ("aar", "trappe_basisaar", "som_referenceaar", "seed", "min_celle", "pr_10000_alder")
FILES = ("enhedspriser", "indsatstrappe")


class PackageError(RoretError):
    """A result package is missing, incomplete, altered or of another format; the message names the file."""


def write_package(package: Package, stage: Path, inputs: dict[str, str], synthetic: bool) -> dict:
    """Every file of the package into `stage`, the manifest last."""
    (stage / "tables").mkdir(parents=True, exist_ok=True)
    for table_id, table in package.tables.items():
        table.to_csv(stage / "tables" / f"{table_id}.csv", index=False, lineterminator="\n")
    record = {"graense": package.params.min_celle, "tabeller": package.audit}
    (stage / "disclosure.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for key in FILES:
        shutil.copyfile(getattr(package.params, key), stage / f"{key}.csv")
    if synthetic:
        (stage / SYNTHETIC_MARKER).write_text('{"syntetisk": true}\n', encoding="utf-8")
    (stage / "LAESMIG.md").write_text(readme(package), encoding="utf-8")
    write_kontrol(package, stage / "kontrol.xlsx")
    parameters = package.params.to_dict() | {key: f"{key}.csv" for key in FILES}
    files = {str(p.relative_to(stage)).replace("\\", "/"): sha256(p) for p in sorted(stage.rglob("*"))
             if p.is_file() and p.name not in ("manifest.json", "roret-output.json")}
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "version": __version__,
                "build_time": build_time().isoformat(), "synthetic": synthetic, "parameters": parameters,
                "inputs": inputs, "files": files}
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def readme(package: Package) -> str:
    """LAESMIG.md: what the package holds and how it is protected, for DST's output control."""
    hidden = sum(len(records) for records in package.audit.values())
    lines = [
        "# Resultatpakke fra roret", "",
        f"Version {__version__}. Pakken indeholder kun aggregerede tal: ingen personnumre og ingen rækker pr. person.",
        "", "## Indhold", "",
        "| Fil | Indhold | Rækker |", "|---|---|---|",
        *[f"| tables/{t.id}.csv | {t.description} | {len(package.tables[t.id])} |" for t in PACKAGE_TABLES.values()],
        *[f"| tables/{tid}.csv | {text} | {len(package.tables[tid])} |" for tid, text in SOM_TABLES.items()],
        "", "Tabellerne er opgjort for hele landet, de fem regioner og alle 98 kommuner. `antal` er personer; "
        "`maengde` er summen af dage, uger, timer eller kontakter for de samme personer.", "",
        "## Diskretionering", "",
        f"* Ingen offentliggjort celle hviler på færre end {package.params.min_celle} personer; "
        "celler under grænsen (også 0) står tomme.",
        "* Sekundær diskretionering er lagt over hele pakken som ét system: landsplan = summen af regionerne, "
        "en region = summen af dens kommuner, overgange på trappen = målgruppen i basisåret, bevægelser = "
        "summer af overgange, overlap mellem undergrupper og personer uden en ydelse. Ingen skjult celle kan "
        "beregnes af de viste tal ved nogen lineær kombination (kontrolleret eksakt).",
        f"* I alt {hidden} skjulte celler; `disclosure.json` viser hver celle med regel og begrundelse, og "
        "`kontrol.xlsx` viser hver tabel med de skjulte celler markeret og en liste over alle skjulte celler.",
        "* En kommunegruppe (fx sammenligningsgruppen i en bog) summeres kun af de viste kommuneceller og er "
        "tom, hvis blot én af dem er skjult.",
        "* SØM-konsekvensestimaterne er landstal. Et opfølgningsår skjules, hvis en af grupperne har færre "
        f"end {package.params.min_celle} personer; for fysioterapi, psykofarmaka og kriminalitet (der tæller "
        "personer) også, hvis personerne med eller uden posten i en gruppe er under grænsen. Gennemsnit af "
        "mængder (dage, uger) hviler på hele gruppen, også dem med 0. Kohortens størrelse skjules, hvis den "
        "sammen med et års størrelse afslører få personer, der ikke følges. Kovarianserne er klyngerobuste "
        "(personer) og skjules sammen med deres poster.", "",
        "## Parametre", "",
        *[f"* {key}: {value}" for key, value in package.params.to_dict().items()
          if key not in ("kommune", "sammenligning", *FILES)],
        "", "`manifest.json` har SHA-256 for alle filer og for de inddata, pakken er beregnet af.", "",
    ]
    return "\n".join(lines)


def is_package(directory: Path) -> bool:
    """Whether `directory` holds a result package (by its manifest's format)."""
    try:
        return json.loads((Path(directory) / "manifest.json").read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError):
        return False


def read_package(directory: Path | str) -> tuple[Package, dict]:
    """The package in `directory` and its manifest, after checking every file against the manifest."""
    directory = Path(directory).resolve()
    path = directory / "manifest.json"
    if not path.is_file():
        raise PackageError(f"{path}: no manifest — is {directory} a result package written by `roret package`?")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise PackageError(f"{path}: not readable as a package manifest ({error})") from None
    if manifest.get("format") != FORMAT:
        raise PackageError(f"{path}: not a roret result package (format {manifest.get('format')!r})")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise PackageError(f"{directory}: package format {manifest.get('format_version')} from roret "
                           f"{manifest.get('version')}; this roret {__version__} reads format {FORMAT_VERSION} — "
                           "make the package again with this version")
    for name, digest in manifest["files"].items():
        file = directory / name
        if not file.is_file():
            raise PackageError(f"{file}: missing from the result package")
        if sha256(file) != digest:
            raise PackageError(f"{file}: changed since the package was written (SHA-256 differs from manifest.json)")
    tables = {table_id: pd.read_csv(directory / "tables" / f"{table_id}.csv", dtype={"omraade": "string"},
                                    dtype_backend="numpy_nullable", keep_default_na=False, na_values=[""])
              for table_id in (*PACKAGE_TABLES, *SOM_TABLES)}
    audit = json.loads((directory / "disclosure.json").read_text(encoding="utf-8"))["tabeller"]
    params = Params.from_mapping({k: v for k, v in manifest["parameters"].items() if k != "kommune"}, directory)
    return Package(tables, audit, params), manifest


def book_params(package: Package, path: Path | None = None, **overrides) -> Params:
    """A book's parameters: the package's, changed by a parameters file and flags where the
    package allows it (municipality, comparison group, prices, discount rate, extra successes,
    step names); ParamsError otherwise."""
    given = Params.load(path, **overrides)
    explicit = Params.explicit(path, **overrides)
    merged = {f.name: getattr(given, f.name) if f.name in explicit else getattr(package.params, f.name)
              for f in fields(Params)}
    params = Params(**merged)
    for key in FIXED:
        if getattr(params, key) != getattr(package.params, key):
            raise ParamsError(f"parameter '{key}': {getattr(params, key)!r} needs the microdata — the result "
                              f"package was computed with {getattr(package.params, key)!r}; make a new package "
                              "inside Danmarks Statistik with this value")
    if load_staircase(params.indsatstrappe).step_of != load_staircase(package.params.indsatstrappe).step_of:
        raise ParamsError("parameter 'indsatstrappe': another assignment of services to steps needs the microdata "
                          "— a book from a package may only rename the package's steps")
    return params
