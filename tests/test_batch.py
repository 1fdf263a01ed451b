"""build-all without building: argument checks, the summary and the index page."""
import pytest

from analysis.batch import Summary, municipalities_to_build, write_index
from analysis.cli import main
from analysis.params import ParamsError


def test_unknown_municipality_codes_are_rejected_before_any_work(tmp_path, capsys):
    assert main(["build-all", "--data", str(tmp_path / "no-data"), "--out", str(tmp_path / "out"),
                 "--kommuner", "751,999"]) == 1
    assert "unknown municipality code(s) [999]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    with pytest.raises(ParamsError, match=r"\[751\] given more than once"):
        municipalities_to_build([751, 751])


def test_summary_names_each_failure_and_its_reason():
    summary = Summary(built=[751, 101], failed={825: "BuildError: notebook x.py failed"}, seconds=61.2)
    assert summary.lines() == ["built 2 publication(s), 1 failed, in 61 s",
                               "  825 Læsø: BuildError: notebook x.py failed"]


def test_index_links_every_published_municipality_alphabetically(tmp_path):
    for kom, pdf in ((751, True), (101, False)):
        (tmp_path / str(kom)).mkdir()
        (tmp_path / str(kom) / "manifest.json").write_text("{}")
        if pdf:
            (tmp_path / str(kom) / "pdf").mkdir()
    (tmp_path / "825").mkdir()  # no manifest: not a publication
    page = write_index(tmp_path, synthetic=True).read_text()
    assert page.index("Aarhus Kommune") < page.index("København Kommune")
    assert '<a href="751/pdf/roret-751.pdf">PDF</a>' in page and "101/pdf" not in page
    assert "Læsø" not in page and "Syntetiske data" in page and "2 kommuner" in page
