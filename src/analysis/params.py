"""The run's parameters: one validated object from a YAML file and command-line flags."""
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from .errors import RoretError
from .project import REFERENCE_DIR
from .reference import case_municipalities, municipality_codes

DST_MINIMUM_CELL = 3
FOLLOW_UP_YEARS = 4  # SØM: success in t+1, costs in t+2 … t+5 (METHODS.md §3)
STAIRCASE_YEARS = 2  # the staircase follows its base year to +2 (METHODS.md §2)


class _DecimalLoader(yaml.SafeLoader):
    """YAML that reads 0751 as 751: YAML 1.1 would read it as the octal number 489, and 0825 as
    a string, where a Danish municipality code with its leading zero is meant."""


def _decimal_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node)
    if re.fullmatch(r"[-+]?0[0-9_]+", text):
        return int(text.replace("_", ""), 10)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_DecimalLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?0[0-9]+$"), list("-+0"))
_DecimalLoader.add_constructor("tag:yaml.org,2002:int", _decimal_int)


class ParamsError(RoretError, ValueError):
    """A parameter is unknown, of the wrong type or out of range; the message names it."""


@dataclass(frozen=True)
class Params:
    kommune: int | None = None
    sammenligning: list[int] = field(default_factory=case_municipalities)
    aar: int = 2022
    trappe_basisaar: int = 2020
    som_referenceaar: list[int] = field(default_factory=lambda: [2017, 2020])
    enhedspriser: Path = REFERENCE_DIR / "enhedspriser.csv"
    indsatstrappe: Path = REFERENCE_DIR / "indsatstrappe.csv"
    diskonteringsrente: float = 0.0
    seed: int = 2024
    min_celle: int = 5
    ekstra_succeser: dict = field(default_factory=lambda: {"beskaeftigelse": 10, "botilbud": 5})
    pr_10000_alder: list[int] = field(default_factory=lambda: [18, 64])

    def __post_init__(self):
        _check(self)

    @classmethod
    def from_mapping(cls, values: dict[str, Any], base: Path = Path(".")) -> "Params":
        """Parameters from a mapping; relative paths are relative to `base`."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParamsError(f"unknown parameter(s): {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        values = {k: v for k, v in values.items() if v is not None or k == "kommune"}
        for key in ("enhedspriser", "indsatstrappe"):
            if key in values:
                if not isinstance(values[key], (str, Path)):
                    raise ParamsError(f"parameter '{key}' must be a file path, got {values[key]!r}")
                values[key] = (base / values[key]).resolve()
        return cls(**values)

    @classmethod
    def load(cls, path: Path | str | None = None, **overrides) -> "Params":
        """Parameters from an optional YAML file, then command-line overrides (None = not given)."""
        values, base = _given(path, overrides)
        return cls.from_mapping(values, base)

    @staticmethod
    def explicit(path: Path | str | None = None, **overrides) -> set[str]:
        """The parameters a YAML file and command-line overrides set (the others take defaults)."""
        return set(_given(path, overrides)[0])

    def needed_years(self) -> dict[str, list[int]]:
        """The years of the extract each year parameter needs."""
        first, last = self.som_referenceaar
        return {"aar": [self.aar],
                "trappe_basisaar": list(range(self.trappe_basisaar, self.trappe_basisaar + STAIRCASE_YEARS + 1)),
                "som_referenceaar": sorted({*range(first, last + 2), first + 1 + FOLLOW_UP_YEARS})}

    def check_years(self, available: list[int]) -> None:
        """ParamsError naming the first year parameter whose years the extract lacks."""
        for key, years in self.needed_years().items():
            lacking = [year for year in years if year not in available]
            if lacking:
                raise ParamsError(
                    f"parameter '{key}': {getattr(self, key)} needs the year(s) {', '.join(map(str, years))} "
                    f"in the extract, which holds {min(available)}–{max(available)} "
                    f"(missing: {', '.join(map(str, lacking))})")

    def to_dict(self) -> dict[str, Any]:
        """Plain values (paths as strings), for the manifest and for papermill."""
        return {k: str(v) if isinstance(v, Path) else v for k, v in asdict(self).items()}


def _given(path: Path | str | None, overrides: dict) -> tuple[dict[str, Any], Path]:
    """The values set in the YAML file at `path` and by `overrides` (None = not given), and the
    directory relative paths are relative to."""
    values: dict[str, Any] = {}
    base = Path(".")
    if path is not None:
        path = Path(path)
        try:
            loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_DecimalLoader)
        except (OSError, yaml.YAMLError) as error:
            raise ParamsError(f"cannot read parameters file {path}: {error}") from error
        if loaded is not None and not isinstance(loaded, dict):
            raise ParamsError(f"{path}: the parameters file must be a mapping of key: value")
        values = loaded or {}
        base = path.parent
    values.update({k: v for k, v in overrides.items() if v is not None})
    return values, base


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check(p: Params) -> None:
    def fail(key, message):
        raise ParamsError(f"parameter '{key}': {message}")

    codes = municipality_codes()
    if p.kommune is not None and (not _is_int(p.kommune) or p.kommune not in codes):
        fail("kommune", f"{p.kommune!r} is not one of the 98 municipality codes")
    if not isinstance(p.sammenligning, list) or not p.sammenligning or not all(map(_is_int, p.sammenligning)):
        fail("sammenligning", f"must be a non-empty list of municipality codes, got {p.sammenligning!r}")
    unknown = [c for c in p.sammenligning if c not in codes]
    if unknown:
        fail("sammenligning", f"unknown municipality code(s) {unknown}")
    for key in ("aar", "trappe_basisaar", "seed", "min_celle"):
        if not _is_int(getattr(p, key)):
            fail(key, f"must be an integer, got {getattr(p, key)!r}")
    if not (isinstance(p.som_referenceaar, list) and len(p.som_referenceaar) == 2
            and all(map(_is_int, p.som_referenceaar)) and p.som_referenceaar[0] <= p.som_referenceaar[1]):
        fail("som_referenceaar", f"must be [first, last] years with first <= last, got {p.som_referenceaar!r}")
    if not isinstance(p.diskonteringsrente, (int, float)) or isinstance(p.diskonteringsrente, bool) \
            or not 0 <= p.diskonteringsrente < 1:
        fail("diskonteringsrente", f"must be a number in [0, 1), got {p.diskonteringsrente!r}")
    if p.min_celle < DST_MINIMUM_CELL:
        fail("min_celle", f"must be at least {DST_MINIMUM_CELL} (Danmarks Statistik's minimum), got {p.min_celle}")
    extra = p.ekstra_succeser
    if not (isinstance(extra, dict) and set(extra) == {"beskaeftigelse", "botilbud"}
            and all(_is_int(v) and v >= 0 for v in extra.values())):
        fail("ekstra_succeser", f"must give a whole number >= 0 for beskaeftigelse and botilbud, got {extra!r}")
    band = p.pr_10000_alder
    if not (isinstance(band, list) and len(band) == 2 and all(map(_is_int, band)) and 0 <= band[0] <= band[1] <= 120):
        fail("pr_10000_alder", f"must be [youngest, oldest] ages within 0–120, got {band!r}")
    for key in ("enhedspriser", "indsatstrappe"):
        if not Path(getattr(p, key)).is_file():
            fail(key, f"file not found: {getattr(p, key)}")
