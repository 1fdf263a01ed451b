"""The synthetic register: deterministic, in the contract format, calibrated to the report."""
import hashlib
import json

import pytest

from analysis.codes import year_span
from analysis.contract import load_extract
from analysis.errors import RoretError
from analysis.reference import municipality_codes
from analysis.synth import write_synthetic
from analysis.targetgroup import members


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


def test_any_span_of_years_is_the_same_calibrated_population(tmp_path):
    """2010-2024: every year present, the 2022 target group calibrated as in the default
    2017-2022 register (report: 72,000 at full scale), and deterministic for a seed."""
    scale, years = 0.05, tuple(range(2010, 2025))
    for name in ("a", "b"):
        write_synthetic(tmp_path / name, scale=scale, seed=11, years=years, progress=lambda _: None)
    assert digests(tmp_path / "a") == digests(tmp_path / "b")
    extract = load_extract(tmp_path / "a")
    assert extract.years() == list(years)
    assert json.loads((tmp_path / "a" / "syntetisk.json").read_text())["aar"] == list(years)
    in_2022 = members(extract).query("aar == 2022")
    assert abs(len(in_2022) - 72_000 * scale) < 0.06 * 72_000 * scale
    assert len(set(members(extract).query("aar == 2010")["pnr"]) & set(in_2022["pnr"])) > 0  # followed for years


@pytest.mark.parametrize("years, message", [((2017, 2019), "consecutive"), ((1990, 1991), "within 2005-2100")])
def test_a_span_that_cannot_be_simulated_is_refused(tmp_path, years, message):
    with pytest.raises(RoretError, match=message):
        write_synthetic(tmp_path / "x", scale=0.003, years=years, progress=lambda _: None)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("text, years", [("2010-2024", tuple(range(2010, 2025))), ("2022", (2022,)),
                                         (" 2017 – 2018 ", (2017, 2018))])
def test_year_spans_are_read_as_written(text, years):
    assert year_span(text) == years


@pytest.mark.parametrize("text", ["2024-2010", "2010-", "tyve"])
def test_a_malformed_year_span_is_an_error(text):
    with pytest.raises(ValueError):
        year_span(text)
