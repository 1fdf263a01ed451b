"""The default synthetic register lands within tolerance of every published figure it covers.

Run at full national scale: case-municipality figures rest on a few thousand persons and
are not stable on a sample.

One pair cannot be met together with the others: with adults as the denominator
(METHODS.md §1), figure 10's 18 recipients of preventive services (§ 82) per 10,000 imply
about 8,500 recipients, while figure 4 (9 % of 72,000 members) and figure 9 (members are
52 % of recipients) imply about 12,500. The generator follows figures 4 and 9; the book's
comparison appendix shows the deviation.
"""
import pytest

from analysis.contract import load_extract
from analysis.params import Params
from analysis.registry import compute_tables
from analysis.synth import write_synthetic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    directory = tmp_path_factory.mktemp("national") / "extract"
    write_synthetic(directory, scale=1.0, seed=2024, progress=lambda _: None)
    return compute_tables(load_extract(directory), Params(), progress=lambda _: None).frames


@pytest.fixture(scope="module")
def comparison(national):
    return national["sammenligning"]


INCONSISTENT = {"fig10_sel82_land", "fig10_sel82_case"}


def test_published_figures_are_within_tolerance(comparison):
    computed = comparison[comparison["inden_for_tolerance"].isin(["ja", "nej"])]
    assert len(computed) >= 77
    outside = computed[(computed["inden_for_tolerance"] == "nej") & ~computed["id"].isin(INCONSISTENT)]
    assert outside.empty, outside[["id", "publiceret", "beregnet", "afvigelse_pct", "tolerance_pct"]].to_string()


def test_the_inconsistent_pair_deviates_in_the_expected_direction(comparison):
    rows = comparison.set_index("id").loc[sorted(INCONSISTENT)]
    assert (rows["afvigelse_pct"] > 0).all() and (rows["afvigelse_pct"] < 50).all()


def test_size_of_the_target_group(comparison):
    sizes = comparison.set_index("id").loc[["mg_i_alt", "mg_kognitiv", "mg_sindslidelse"]]
    assert (sizes["afvigelse_pct"].abs() <= 5).all()


def test_som_potentials_have_the_published_pattern(national):
    """Employment: mostly income transfers, education and employment measures negative;
    botilbud: the saving lies mainly in the botilbud area."""
    by_area = national["som_potentiale"].groupby(["scenarie", "hovedomraade"])["kr_pr_borger"].sum()
    employment, botilbud = by_area["beskaeftigelse"], by_area["botilbud"]
    assert employment.idxmax() == "Indkomstoverførsler"
    assert employment["Indkomstoverførsler"] > 0.8 * employment.sum()
    assert employment["Uddannelse"] < 0 and employment["Beskæftigelsesindsats"] < 0
    assert botilbud.idxmax() == "Botilbud" and botilbud["Botilbud"] > 0.8 * botilbud.sum()
