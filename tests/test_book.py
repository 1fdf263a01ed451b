"""Presentation helpers: Danish numbers and suppressed values."""
import pandas as pd

from analysis import book
from analysis.book import SUPPRESSED, p_value, tal
from analysis.project import ROOT
from analysis.rounding import half_away, half_away_all


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


def test_municipal_paragraph_only_in_a_municipal_book_and_notes_suppression(monkeypatch):
    shown = []
    monkeypatch.setattr(book, "display", lambda item: shown.append(item.text))
    book.about_municipality(None, None, "var 5 voksne i målgruppen.", [5], 5)
    assert shown == []
    book.about_municipality(751, "Aarhus", f"var {tal(1200)} voksne i målgruppen.", [1200], 5)
    assert shown == ["I Aarhus Kommune var 1.200 voksne i målgruppen."]
    book.about_municipality(825, "Læsø", f"var {tal(30)} voksne, heraf {tal(25)} og {tal(pd.NA)}.",
                            [30, 25, pd.NA], 5)
    assert shown[-1].startswith("I Læsø Kommune var 30 voksne, heraf 25 og ..") and "diskretioneret" in shown[-1]


def test_a_mostly_suppressed_municipal_paragraph_is_one_plain_sentence(monkeypatch):
    shown = []
    monkeypatch.setattr(book, "display", lambda item: shown.append(item.text))
    book.about_municipality(825, "Læsø", f"var {tal(30)}, {tal(pd.NA)} og {tal(None)}.", [30, pd.NA, None], 5)
    assert shown == ["I Læsø Kommune er der for få borgere til at vise tallene i dette afsnit: de fleste bygger "
                     "på færre end 5 personer og er diskretioneret."]


def test_comparison_group_is_called_case_municipalities_only_when_it_is_the_reports():
    assert book.comparison_group([751, 657, 265, 169]) == ("Casekommuner", "casekommunerne")
    assert book.comparison_group([101, 461, 851]) == ("Sammenligningsgruppen", "sammenligningsgruppen")
    names = book.area_names(751, "Aarhus", [101, 461, 851])
    assert names == {"landsplan": "Landsplan", "casekommuner": "Sammenligningsgruppen", "751": "Aarhus"}


def test_halves_are_rounded_away_from_zero_in_text_and_tables():
    assert (tal(35.5), tal(86.5), tal(-2.5), tal(0.285, 2), tal(29.55, 1)) == ("36", "87", "-3", "0,29", "29,6")
    assert half_away(86.5) == 87 and isinstance(half_away(86.5), int) and half_away(0.125, 2) == 0.13
    assert half_away_all(pd.Series([0.5, 1.5, 2.5, None])).tolist()[:3] == [1.0, 2.0, 3.0]


def test_the_guide_shows_the_shipped_aarhus_parameter_file_as_it_is():
    guide = (ROOT / "book" / "kommune.md").read_text(encoding="utf-8")
    shown = guide.split("```yaml\n", 1)[1].split("```\n", 1)[0]
    assert shown == (ROOT / "examples" / "aarhus" / "parametre.yml").read_text(encoding="utf-8")


def test_a_comparison_group_of_the_users_choosing_is_described_neutrally():
    assert book.comparison_description([169, 265, 657, 751]) == (
        "Sammenligningsgruppen er rapportens casekommuner, Høje-Taastrup, Roskilde, Herning og Aarhus, der har "
        "lagt deres indsats om mod recovery og rehabilitering.")
    assert book.comparison_description([101, 461, 851]) == (
        "Sammenligningsgruppen er valgt til denne udgave og består af København, Odense og Aalborg.")
