"""The synthetic register: deterministic, in the contract format, calibrated to the report."""
import hashlib
import json

import pytest

from analysis.contract import load_extract
from analysis.reference import municipality_codes
from analysis.synth import write_synthetic


def digests(directory):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def test_same_seed_gives_identical_files(tmp_path):
    for name in ("a", "b"):
        write_synthetic(tmp_path / name, scale=0.003, seed=7, progress=lambda _: None)
    write_synthetic(tmp_path / "c", scale=0.003, seed=8, progress=lambda _: None)
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    assert digests(tmp_path / "a")["bopael.parquet"] != digests(tmp_path / "c")["bopael.parquet"]


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    """One tenth of the national population: large enough for stable shares."""
    out = tmp_path_factory.mktemp("synth") / "extract"
    write_synthetic(out, scale=0.1, seed=2024, progress=lambda _: None)
    return out, load_extract(out)


def test_output_follows_the_contract_and_covers_country_and_years(medium):
    directory, extract = medium
    assert json.loads((directory / "syntetisk.json").read_text())["syntetisk"] is True
    assert sorted(extract.bopael["aar"].unique()) == list(range(2017, 2023))
    assert set(extract.bopael["kom"].unique()) == municipality_codes()
    adults = extract.bopael[extract.bopael["alder"] >= 18].groupby("aar").size()
    assert adults.between(0.1 * 4.5e6, 0.1 * 4.9e6).all()
    assert (extract.bopael["alder"] < 18).any()  # minors are present, so the adult filter matters


def test_population_is_dynamic_and_services_persist(medium):
    _, extract = medium
    residents = extract.bopael.groupby("pnr")["aar"].agg(["min", "max", "size"])
    assert (residents["max"] < 2022).mean() > 0.02  # people die or emigrate
    assert (residents["min"] > 2017).mean() > 0.02  # people turn 16 or immigrate
    moves = extract.bopael.sort_values(["pnr", "aar"]).groupby("pnr")["kom"].nunique()
    assert (moves > 1).mean() > 0.05
    services = extract.ydelser[extract.ydelser["ydelse"] == "sel108"]
    in_2021 = set(services.loc[services["aar"] == 2021, "pnr"])
    in_2022 = set(services.loc[services["aar"] == 2022, "pnr"])
    assert len(in_2021 & in_2022) / len(in_2021) > 0.8
