"""The comparison appendix: every published figure of the report next to its regenerated value."""
from dataclasses import dataclass, field

import pandas as pd

from .params import Params
from .reference import published_figures
from .rounding import half_away
from .staircase import DIRECTIONS, direction_share


@dataclass(frozen=True)
class Source:
    """Where a published figure's regenerated value is: table, column and filters.

    The published row's omraade and gruppe are added to the filters where the table has them.
    A tuple of values selects several rows, whose values are added up.
    """
    table: str
    column: str
    filters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Movement:
    """A published share moving down or up the staircase (staircase.direction_share)."""
    direction: str


def _activity(maal: str, **filters) -> Source:
    return Source("forbrug_gennemsnit", "vaerdi", {"maal": maal, **filters})


ACTIVITIES = {"sel103_104": "sel103_104", "sel85": "sel85", "abl105": "abl105_sel85", "sel107": "sel107",
              "sel95_96": "sel95_96", "sel97": "sel97", "beskaeftigelse": "beskaeftigelse_uger",
              "besk_indsats": "beskaeftigelsesindsats_timer", "foertidspension": "foertidspension_uger",
              "fysioterapi": "fysioterapi", "kriminalitet": "kriminalitet"}
CASE_ACTIVITIES = {"besk": "beskaeftigelse_uger", "besk_indsats": "beskaeftigelsesindsats_timer",
                   "ftp": "foertidspension_uger"}
SERVICES = {"sel85": "sel85", "abl105": "abl105_sel85", "sel107": "sel107", "sel82": "sel82", "sel108": "sel108"}

SOURCES = {
    **{f"mg_{g}": Source("maalgruppe", "antal") for g in ("i_alt", "kognitiv", "sindslidelse")},
    "mg_andel_modtagere": Source("maalgruppe_andel", "andel", {"ydelse": "alle_fem"}),
    "mg_andel_botilbud": Source("maalgruppe_andel", "andel", {"ydelse": "botilbud"}),
    **{f"fig2_{d}": Source("diagnoser", "andel", {"diagnosegruppe": d})
       for d in ("autisme", "hjerneskade", "adhd", "udviklingshaemning")},
    "fig3_svaer": Source("diagnoser", "andel", {"diagnosegruppe": "svaer_psykisk"}),
    "fig3_moderat": Source("diagnoser", "andel", {"diagnosegruppe": "moderat_psykisk"}),
    **{f"fig4_{k}": Source("ydelser_fordeling", "andel_personer", {"ydelse": s}) for k, s in SERVICES.items()},
    **{f"fig5_{k}": Source("ydelser_fordeling", "andel_udgifter", {"ydelse": s}) for k, s in SERVICES.items()},
    "udg_botilbud_andel": Source("udgifter_botilbud", "andel_udgifter"),
    "botilbud_kognitiv": _activity("botilbud"), "botilbud_sindslidelse": _activity("botilbud"),
    **{f"barndom_{g}{c}": _activity("foranstaltning_barndom")
       for g in ("kognitiv", "sindslidelse") for c in ("", "_case")},
    **{f"fig{n}_{k}": _activity(m) for n in (6, 7) for k, m in ACTIVITIES.items() if (n, k) != (6, "sel97")},
    **{f"befolkning_{k}": _activity(ACTIVITIES[k])
       for k in ("beskaeftigelse", "besk_indsats", "foertidspension", "fysioterapi", "kriminalitet")},
    "fig9_udgaaende": Source("maalgruppe_andel", "andel", {"ydelse": "sel85"}),
    "fig9_forebyggende": Source("maalgruppe_andel", "andel", {"ydelse": "sel82"}),
    **{f"fig{n}_{k}_case": _activity(m) for n in (13, 14) for k, m in CASE_ACTIVITIES.items()},
    "fig14_psyk_indlagt_case": _activity("psyk_indlagt_dage"), "fig14_psyk_indlagt_land": _activity("psyk_indlagt_dage"),
    "fig14_psyk_amb_case": _activity("psyk_ambulante_kontakter"),
    "fig14_psyk_kontakt_case": _activity("psyk_kontakt"), "fig14_psyk_kontakt_land": _activity("psyk_kontakt"),
    **{f"fig10_{s}_{a}": Source("trappe_pr_10000", "pr_10000", {"ydelse": s})
       for s in ("sel82", "sel108") for a in ("case", "land")},
    **{f"fig{n}_{d}_{a}": Movement(d) for n, a in ((11, "case"), (12, "land")) for d in DIRECTIONS},
    **{f"som_{s}": Source("som_potentiale_samlet", "kr_pr_borger_4aar", {"scenarie": s, "metode": "raa"})
       for s in ("beskaeftigelse", "botilbud")},
}
# Published figures computed from other regenerated figures.
RATIOS = {"som_forhold": ("som_botilbud", "som_beskaeftigelse")}


def regenerated(source: Source | Movement, published: pd.Series, frames: dict[str, pd.DataFrame], params: Params):
    """The regenerated value of one published figure; None where it is not (yet) computed or is suppressed."""
    if isinstance(source, Movement):
        moved = frames.get("trappe_bevaegelser")
        return None if moved is None else direction_share(moved, published["omraade"], source.direction)
    table = frames.get(source.table)
    if table is None:
        return None
    filters = dict(source.filters)
    for column in ("omraade", "gruppe"):
        if column in table:
            filters.setdefault(column, published[column])
    if "aar" in table:
        filters["aar"] = params.aar
    rows = table
    for column, value in filters.items():
        rows = rows[rows[column].isin(value if isinstance(value, tuple) else (value,))]
    expected = len(next((v for v in source.filters.values() if isinstance(v, tuple)), (None,)))
    if len(rows) != expected or rows[source.column].isna().any():
        return None
    return half_away(float(rows[source.column].sum()), 4)


def compare(frames: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """sammenligning: published value, regenerated value, relative deviation and tolerance check."""
    rows, values = [], {}
    for published in published_figures().itertuples(index=False):
        row = pd.Series(published._asdict())
        source = SOURCES.get(published.id)
        value = regenerated(source, row, frames, params) if source else None
        if published.id in RATIOS:
            numerator, denominator = (values.get(i) for i in RATIOS[published.id])
            value = half_away(numerator / denominator, 2) if numerator is not None and denominator else None
        values[published.id] = value
        deviation = None if value is None or not published.vaerdi else half_away(100 * (value / published.vaerdi - 1), 1)
        tolerance = None if pd.isna(published.tolerance_rel) else half_away(100 * published.tolerance_rel, 1)
        if value is None:
            status = "ikke beregnet"
        elif tolerance is None:
            status = "ingen tolerance"
        else:
            status = "ja" if abs(deviation) <= tolerance else "nej"
        note = None if pd.isna(published.note) else published.note
        rows.append((published.id, published.figur, published.omraade, published.gruppe, published.maal,
                     published.enhed, published.vaerdi, value, deviation, tolerance, status, note))
    return pd.DataFrame(rows, columns=["id", "figur", "omraade", "gruppe", "maal", "enhed", "publiceret",
                                       "beregnet", "afvigelse_pct", "tolerance_pct", "inden_for_tolerance", "note"])
