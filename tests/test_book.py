"""Presentation helpers: Danish numbers and suppressed values."""
import pandas as pd

from analysis.book import SUPPRESSED, p_value, tal


def test_danish_number_format():
    assert tal(72000) == "72.000"
    assert tal(1234567.891, 2) == "1.234.567,89"
    assert tal(12.5, 1) == "12,5"
    assert tal(-250000) == "-250.000"


def test_suppressed_and_missing_show_as_dots():
    assert tal(pd.NA) == SUPPRESSED == ".."
    assert tal(float("nan")) == ".."
    assert tal(None) == ".."


def test_p_values():
    assert p_value(0.0004) == "under 0,001"
    assert p_value(0.0739) == "0,074"
    assert p_value(pd.NA) == ".."
