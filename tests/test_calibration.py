"""The default synthetic register lands within tolerance of every published figure it covers.

Run at full national scale: case-municipality figures rest on a few thousand persons and
are not stable on a sample. Figure 10 is compared under the reading in which figures 4, 9
and 10 agree (target-group recipients per 10,000 residents aged 18-64, METHODS.md §1).
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


# The published figure the package's disclosure control leaves uncomputed on the synthetic
# default: the cost share of the members on a botilbud needs a national zero (no botilbud
# resident in the synthetic register also has § 85), and zeros are hidden like other small counts.
HIDDEN_BY_DISCLOSURE = {"udg_botilbud_andel"}


def test_published_figures_are_within_tolerance(comparison):
    computed = comparison[comparison["inden_for_tolerance"].isin(["ja", "nej"])]
    uncomputed = set(comparison.loc[comparison["inden_for_tolerance"] == "ikke beregnet", "id"])
    assert uncomputed == HIDDEN_BY_DISCLOSURE
    outside = computed[computed["inden_for_tolerance"] == "nej"]
    assert outside.empty, outside[["id", "publiceret", "beregnet", "afvigelse_pct", "tolerance_pct"]].to_string()


def test_every_row_of_the_appendix_is_counted_once(comparison):
    assert set(comparison["inden_for_tolerance"]) <= {"ja", "nej", "ingen tolerance", "ikke beregnet"}
    without = comparison[comparison["inden_for_tolerance"] == "ingen tolerance"]
    assert without["tolerance_pct"].isna().all() and without["note"].notna().all()


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
