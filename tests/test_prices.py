"""The price file contract."""
import pandas as pd
import pytest

from analysis.contract import ContractError
from analysis.prices import load_prices
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
