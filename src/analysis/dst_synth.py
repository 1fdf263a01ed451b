"""The synthetic register as DST-style SAS files (`roret synth --format dst`), to practise the
DST path without DST: `roret convert --kilde examples/dst/kilde.yml` turns them back into the
contract extract `roret synth` writes with the same seed and scale.

BEF's names (PNR, KOEN, FOED_DAG, ALDER, KOM) and the target-group codes 1.2.1/1.2.2 are DST's;
every other register and variable name and code here is a placeholder (see kilde.yml).
"""
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat

from . import codes
from .build import SYNTHETIC_MARKER
from .errors import RoretError
from .outputs import staged_output
from .synth import write_synthetic

SAS_EPOCH = pd.Timestamp("1960-01-01")  # a SAS date counts days from here
BIRTHDAY = (7, 1)  # the practice files' birth dates: 1 July of the birth year
SEX = {"M": 1, "K": 2}  # BEF's KOEN
REASON = {"kognitiv": "1.2.1", "sindslidelse": "1.2.2",  # DST's target-group codes
          "fysisk": "PH-fysisk", "socialt": "PH-socialt", "uoplyst": "PH-uoplyst"}  # placeholders
SERVICE = {"sel82": "82", "sel85": "85", "abl105_sel85": "85_105", "sel107": "107", "sel108": "108",
           "sel103_104": "103_104", "sel95_96": "95_96", "sel97": "97"}  # placeholders
DIAGNOSIS = {name: number for number, name in enumerate(codes.DIAGNOSES, start=1)}  # placeholders
STATUS = {name: number for number, name in enumerate(codes.STATUSES, start=1)}  # placeholders
HOSPITAL = ("psyk_indlagt_dage", "psyk_ambulante_kontakter", "som_indlagt_dage", "som_ambulante_kontakter")


def readstat_tool() -> str:
    """ReadStat's command-line tool, which writes SAS7BDAT (pyreadstat cannot)."""
    tool = shutil.which("readstat")
    if tool is None:
        raise RoretError("writing SAS files needs ReadStat's command-line tool 'readstat' "
                         "(Debian/Ubuntu: apt-get install readstat); it was not found on PATH")
    return tool


def write_sas(frame: pd.DataFrame, path: Path) -> None:
    """A genuine SAS7BDAT file: written as Stata by pyreadstat, converted by `readstat`."""
    tool = readstat_tool()
    with tempfile.TemporaryDirectory(prefix="roret-sas-") as scratch:
        stata = Path(scratch) / f"{path.stem}.dta"
        pyreadstat.write_dta(frame, str(stata))
        result = subprocess.run([tool, str(stata), str(path)], capture_output=True, text=True)
    if result.returncode != 0 or not path.is_file():
        raise RoretError(f"readstat could not write {path.name}: {result.stderr.strip()[-500:]}")


def _sas_date(years: pd.Series) -> np.ndarray:
    month, day = BIRTHDAY
    dates = pd.to_datetime(pd.DataFrame({"year": years, "month": month, "day": day}))
    return (dates - SAS_EPOCH).dt.days.to_numpy(dtype=float)


def _year_frames(path: Path):
    """(year, rows of that year) of a contract table, one year in memory at a time."""
    years = sorted(pq.read_table(path, columns=["aar"]).column("aar").unique().to_pylist())
    for year in years:
        yield year, pq.read_table(path, filters=[("aar", "=", year)]).to_pandas()


def _flag(values: pd.Series) -> np.ndarray:
    return values.to_numpy().astype(float)


def _registers(extract: Path, out: Path, progress: Callable[[str], None]) -> None:
    stamdata = pq.read_table(extract / "stamdata.parquet").to_pandas().set_index("pnr")
    for year, bopael in _year_frames(extract / "bopael.parquet"):
        progress(f"bef{year}12.sas7bdat")
        person = stamdata.loc[bopael["pnr"]]
        write_sas(pd.DataFrame({"PNR": bopael["pnr"].to_numpy(dtype=float),
                                "KOEN": person["koen"].map(SEX).to_numpy(dtype=float),
                                "FOED_DAG": _sas_date(person["foed_aar"]),
                                "ALDER": bopael["alder"].to_numpy(dtype=float),
                                "KOM": bopael["kom"].to_numpy(dtype=float)}), out / f"bef{year}12.sas7bdat")
    for year, ydelser in _year_frames(extract / "ydelser.parquet"):
        write_sas(pd.DataFrame({"PNR": ydelser["pnr"].to_numpy(dtype=float),
                                "KOM": ydelser["kom"].to_numpy(dtype=float),
                                "PARAGRAF": ydelser["ydelse"].astype(str).map(SERVICE),
                                "MAALGRUPPE": ydelser["maalgruppe"].astype(str).map(REASON),
                                "DAGE": ydelser["dage"].to_numpy(dtype=float)}), out / f"handicap{year}.sas7bdat")
    for year, forbrug in _year_frames(extract / "forbrug.parquet"):
        progress(f"forbrug{year}.sas7bdat, lpr{year}.sas7bdat")
        main = pd.DataFrame({"PNR": forbrug["pnr"].to_numpy(dtype=float)})
        for column in codes.VOLUME_COLUMNS:
            if column not in HOSPITAL:
                main[column.upper()] = forbrug[column].to_numpy()
        for column in codes.FLAG_COLUMNS:
            main[column.upper()] = _flag(forbrug[column])
        main["STATUS_UGE48"] = forbrug["status_uge48"].astype(str).map(STATUS).to_numpy(dtype=float)
        write_sas(main, out / f"forbrug{year}.sas7bdat")
        contacts = forbrug[(forbrug[list(HOSPITAL)] > 0).any(axis=1)]  # like LPR: persons with a contact
        hospital = pd.DataFrame({"PNR": contacts["pnr"].to_numpy(dtype=float)})
        for column in HOSPITAL:
            hospital[column.upper()] = contacts[column].to_numpy()
        write_sas(hospital, out / f"lpr{year}.sas7bdat")
    diagnoser = pq.read_table(extract / "diagnoser.parquet").to_pandas()
    write_sas(pd.DataFrame({"PNR": diagnoser["pnr"].to_numpy(dtype=float),
                            "DIAGNOSEGRUPPE": diagnoser["diagnosegruppe"].astype(str).map(DIAGNOSIS)
                            .to_numpy(dtype=float)}), out / "diagnoser.sas7bdat")
    measures = stamdata[stamdata["foranstaltning_barndom"]]
    write_sas(pd.DataFrame({"PNR": measures.index.to_numpy(dtype=float), "FORANSTALTNING": 1.0}),
              out / "barn_foranstaltning.sas7bdat")


def write_dst(out: Path | str, scale: float = 1.0, seed: int = 2024, years: tuple[int, ...] = codes.YEARS,
              progress: Callable[[str], None] = print) -> dict:
    """Write the synthetic register as DST-style SAS files into `out` (replaced atomically)."""
    readstat_tool()  # its message before anything is simulated
    with staged_output(Path(out), "dst-filer", progress=progress) as staging, \
            tempfile.TemporaryDirectory(prefix="roret-synth-") as scratch:
        extract = Path(scratch) / "udtraek"
        description = write_synthetic(extract, scale=scale, seed=seed, years=years, progress=progress)
        progress("writing DST-style SAS files")
        _registers(extract, staging, progress)
        description["format"] = "dst"
        (staging / SYNTHETIC_MARKER).write_text(json.dumps(description, indent=2) + "\n")
    return description
