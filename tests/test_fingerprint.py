"""Fingerprints of drawing functions and their inputs: equal exactly when the figure must be."""
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import seaborn as sns

from analysis import figures
from analysis.fingerprint import fingerprint

LABEL = "Pct."


def shares() -> pd.DataFrame:
    return pd.DataFrame({"omraade": ["landsplan", "casekommuner"], "andel": [12.5, 20.0]})


def bars(data, label):
    figure, axes = plt.subplots()
    sns.barplot(data=data, x="omraade", y="andel", ax=axes)
    axes.set(ylabel=label, xlabel=f"{len(data)} områder")
    return figure


def other_bars(data, label):
    figure, axes = plt.subplots()
    sns.barplot(data=data, x="omraade", y="andel", ax=axes)
    axes.set(ylabel=label, xlabel=f"{len(data)} kommuner")
    return figure


def test_equal_function_and_inputs_give_equal_fingerprints():
    assert fingerprint(bars, {"data": shares(), "label": "Pct."}) == fingerprint(bars, {"data": shares(),
                                                                                       "label": "Pct."})


@pytest.mark.parametrize("change", [
    lambda d: d.assign(andel=[12.5, 20.1]),  # a value
    lambda d: d.iloc[::-1],  # the order of the rows
    lambda d: d.set_axis([5, 6]),  # the index
    lambda d: d.rename(columns={"andel": "pct"}),  # a column name
    lambda d: d.assign(omraade=pd.Categorical(d["omraade"], ["landsplan", "casekommuner"])),  # a dtype
    lambda d: d.assign(omraade=pd.Categorical(d["omraade"], ["casekommuner", "landsplan"])),  # category order
])
def test_any_change_to_the_data_changes_the_fingerprint(change):
    assert fingerprint(bars, {"data": change(shares()), "label": "Pct."}) != fingerprint(bars, {"data": shares(),
                                                                                               "label": "Pct."})


def test_other_inputs_code_and_style_change_the_fingerprint():
    base = fingerprint(bars, {"data": shares(), "label": "Pct."})
    assert fingerprint(bars, {"data": shares(), "label": "Procent"}) != base
    assert fingerprint(other_bars, {"data": shares(), "label": "Pct."}) != base  # differs in one string constant
    with plt.rc_context({"font.size": 20}):
        assert fingerprint(bars, {"data": shares(), "label": "Pct."}) != base


def test_functions_that_read_other_globals_or_enclosing_variables_are_refused():
    def reads_global(data):
        return data.assign(label=LABEL)

    with pytest.raises(TypeError, match="global 'LABEL'"):
        fingerprint(reads_global, {"data": shares()})
    label = "Pct."

    def reads_enclosing(data):
        return data.assign(label=label)

    with pytest.raises(TypeError, match="enclosing"):
        fingerprint(reads_enclosing, {"data": shares()})


def test_a_notebook_function_may_call_library_functions_but_not_the_notebook_s_own():
    notebook = {"__name__": "__main__", "figures": figures}  # a kernel's namespace
    exec("def helper(data):\n    return figures.bars(data, 'omraade', 'andel', 'omraade', 'Pct.')\n\n"
         "def library(data):\n    return figures.bars(data, 'omraade', 'andel', 'omraade', 'Pct.')\n\n"
         "bars = figures.bars\n\n"
         "def via_name(data):\n    return bars(data, 'omraade', 'andel', 'omraade', 'Pct.')\n\n"
         "def via_helper(data):\n    return helper(data)\n", notebook)
    assert fingerprint(notebook["library"], {"data": shares()})
    assert fingerprint(notebook["via_name"], {"data": shares()})
    with pytest.raises(TypeError, match="global 'helper'"):
        fingerprint(notebook["via_helper"], {"data": shares()})


def test_inputs_that_cannot_be_fingerprinted_are_refused():
    def local(data):
        return data

    with pytest.raises(TypeError, match="object"):
        fingerprint(bars, {"data": shares(), "label": object()})
    assert fingerprint(bars, {"data": shares(), "label": sns.barplot})  # a library function by its name
    with pytest.raises(TypeError, match="function"):
        fingerprint(bars, {"data": shares(), "label": local})
