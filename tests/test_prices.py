"""The price file contract."""
import pandas as pd
import pytest

from analysis.contract import Activities, ContractError, Extract
from analysis.prices import load_prices, service_days
from analysis.project import REFERENCE_DIR


def test_shipped_price_file_is_valid_and_flagged_illustrative():
    prices = load_prices(REFERENCE_DIR / "enhedspriser.csv")
    assert not prices["verificeret"].any()
    assert prices["kilde"].str.len().gt(0).all()
    assert set(prices["post"]) >= {"sel108", "abl105_sel85", "sel107", "sel85", "sel82", "foertidspension_uger"}


@pytest.mark.parametrize("change, message", [
    (lambda p: p.assign(enhed=p["enhed"].where(p["post"] != "sel85", "uge")), "column 'enhed': unit does not match"),
    (lambda p: p.assign(andel_kommune=p["andel_kommune"] * 0.5), "payer shares must sum to 1"),
    (lambda p: p.assign(post=p["post"].where(p["post"] != "sel85", "sel999")), "column 'post': not a forbrug"),
    (lambda p: p.assign(hovedomraade="Andet"), "column 'hovedomraade'"),
    (lambda p: p.drop(columns="kilde"), "missing: kilde"),
    (lambda p: pd.concat([p, p.head(1)]), "duplicate post"),
])
def test_bad_price_file_is_rejected(tmp_path, change, message):
    prices = change(pd.read_csv(REFERENCE_DIR / "enhedspriser.csv"))
    prices.to_csv(tmp_path / "priser.csv", index=False)
    with pytest.raises(ContractError, match=message):
        load_prices(tmp_path / "priser.csv")


def test_a_service_under_two_reasons_counts_once_with_its_largest_days():
    """Person 1 has sel107 in 2020 under both reasons (100 and 200 days): one row of 200 days;
    every other person-year-service keeps its days."""
    ydelser = pd.DataFrame({
        "pnr": [1, 1, 1, 2, 2], "aar": [2020, 2020, 2020, 2020, 2021],
        "ydelse": pd.Categorical(["sel107", "sel107", "sel85", "sel107", "sel107"]),
        "maalgruppe": pd.Categorical(["kognitiv", "sindslidelse", "kognitiv", "kognitiv", "kognitiv"]),
        "dage": [100, 200, 30, 50, 60]})
    extract = Extract(bopael=pd.DataFrame(), stamdata=pd.DataFrame(), ydelser=ydelser, diagnoser=pd.DataFrame(),
                      activities=Activities(frame=pd.DataFrame()))
    days = service_days(extract)
    assert sorted(zip(days["pnr"], days["aar"], days["ydelse"].astype(str), days["dage"])) == [
        (1, 2020, "sel107", 200), (1, 2020, "sel85", 30), (2, 2020, "sel107", 50), (2, 2021, "sel107", 60)]
