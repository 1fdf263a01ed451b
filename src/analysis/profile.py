"""Who the target group are in the chosen year (METHODS.md §1; report figures 2–9 and 13–14).

Two steps, so that a book needs no microdata: the package counts per municipality
(`*_counts`: persons and sums of volumes, additive over any group of municipalities), and
the book's tables are formed from those counts once they are protected (shares, means and
costs at any price file). Shares are in percent (0–100).
"""
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import codes
from .areas import complete
from .contract import Extract
from .params import Params
from .prices import load_prices, service_days
from .rounding import ratio
from .rowkeys import positions
from .targetgroup import SUBGROUPS, members

BOTILBUD = ("sel107", "sel108", "abl105_sel85")
MEMBER_GROUPS = ("i_alt", *SUBGROUPS)
POPULATION = "befolkningen"
ON_BOTILBUD = "botilbudsbeboere"  # members on a botilbud: their target services, for the cost share
ADULTS = "voksne"
UNITS = {"beskaeftigelse_uger": "uger", "foertidspension_uger": "uger", "kontanthjaelp_uger": "uger",
         "uddannelse_uger": "uger", "beskaeftigelsesindsats_timer": "timer", "psyk_indlagt_dage": "dage",
         "som_indlagt_dage": "dage", "psyk_ambulante_kontakter": "kontakter", "som_ambulante_kontakter": "kontakter"}
SHARE_INDICATORS = (*codes.SERVICES, "botilbud", *codes.FLAG_COLUMNS, "psyk_kontakt", "foranstaltning_barndom")
ALL_FIVE = "alle_fem"
ACTIVITIES = (*SHARE_INDICATORS, *UNITS)  # forbrug_gennemsnit's measures, in its order
MEASURES = (*ACTIVITIES, ALL_FIVE)        # the package's forbrug
BLOCK_ROWS = 1 << 20  # a year's forbrug is counted a million rows at a time


@dataclass(frozen=True)
class Block:
    """Rows of adults' measures: each row's place (municipality), member flags per group, measures."""
    place: np.ndarray
    member: dict[str, np.ndarray]
    measures: dict[str, np.ndarray]


def people(extract: Extract, year: int) -> pd.DataFrame:
    """Adult residents in `year`: pnr, kom and flags i_alt (member), kognitiv, sindslidelse."""
    def compute():
        adults = extract.residents_in(year).iloc[_adult_rows(extract, year)][["pnr", "kom"]]
        in_group = members(extract)
        in_group = in_group[in_group["aar"] == year]
        found = positions(adults, in_group, ["pnr"])
        frame = adults.reset_index(drop=True).assign(i_alt=found >= 0)
        for column in SUBGROUPS:
            frame[column] = np.where(frame["i_alt"], in_group[column].to_numpy()[found], False)
        return frame
    return extract.memo(("people", year), compute)


def _adult_rows(extract: Extract, year: int) -> np.ndarray:
    """The positions of the adults among the residents of `year` (found once per run)."""
    return extract.memo(("adult_rows", year),
                        lambda: np.flatnonzero(extract.residents_in(year)["alder"].to_numpy() >= 18))


def age_band(params: Params) -> str:
    """The befolkning group of residents aged pr_10000_alder, e.g. alder_18_64."""
    return "alder_{}_{}".format(*params.pr_10000_alder)


def population_counts(extract: Extract, params: Params) -> pd.DataFrame:
    """befolkning (package): adults and residents of the per-10,000 age band per municipality."""
    youngest, oldest = params.pr_10000_alder
    residents = extract.residents_in(params.aar)
    kom, alder = residents["kom"].to_numpy(), residents["alder"].to_numpy()
    parts = []
    for gruppe, chosen in ((ADULTS, alder >= 18), (age_band(params), (alder >= youngest) & (alder <= oldest))):
        counts = np.bincount(kom[chosen])  # per municipality code
        present = np.flatnonzero(counts)
        parts.append(pd.DataFrame({"kom": present, "gruppe": gruppe, "antal": counts[present]}))
    table = complete(pd.concat(parts), {"gruppe": [ADULTS, age_band(params)]}, ["antal"])
    return table.assign(aar=params.aar)[["kom", "aar", "gruppe", "antal"]]


def _counted(place: np.ndarray, kom: pd.Index, gruppe: str, maal: str, who, values: np.ndarray) -> pd.DataFrame:
    """A group's measure per municipality (`place`: each person's, among `kom`): persons with a
    non-zero value (antal) and the sum of the values (maengde). `who` selects the group's persons
    in their order, `values` are theirs."""
    antal, maengde = _sums(place[who], values, len(kom))
    return pd.DataFrame({"kom": kom, "gruppe": gruppe, "maal": maal, "antal": antal, "maengde": maengde})


def _sums(at: np.ndarray, values: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per place (`at`: each value's, below `size`): how many values are not zero, and their sum."""
    nonzero = np.bincount(at[values != 0], minlength=size)
    total = nonzero if values.dtype == bool else np.bincount(at, values.astype(np.float64, copy=False), size)
    return nonzero, total.astype(np.float64, copy=False)


def diagnosis_counts(extract: Extract, params: Params) -> pd.DataFrame:
    """diagnoser (package): members per municipality, sub-group and diagnosis group."""
    frame = members(extract)
    frame = frame[frame["aar"] == params.aar].assign(i_alt=True)
    place, kom = pd.factorize(frame["kom"], sort=True)
    diagnosed = extract.diagnoser
    parts = []
    for diagnosis in codes.DIAGNOSES:
        has = frame["pnr"].isin(diagnosed.loc[diagnosed["diagnosegruppe"] == diagnosis, "pnr"]).to_numpy()
        for gruppe in MEMBER_GROUPS:
            who = frame[gruppe].to_numpy()
            parts.append(_counted(place, kom, gruppe, diagnosis, who, has[who]))
    table = complete(pd.concat(parts), {"gruppe": list(MEMBER_GROUPS), "maal": list(codes.DIAGNOSES)}, ["antal"])
    table = table.rename(columns={"maal": "diagnosegruppe"}).assign(aar=params.aar)
    return table[["kom", "aar", "gruppe", "diagnosegruppe", "antal"]]


def _measure_blocks(extract: Extract, adults: pd.DataFrame, place: np.ndarray, member: dict[str, np.ndarray],
                    year: int) -> Iterator[Block]:
    """The forbrug and stamdata measures of the adult residents of `year` (`place`: each one's
    municipality, `member`: flags per group) in blocks of rows: a national year of forbrug is large."""
    columns = [*UNITS, *codes.FLAG_COLUMNS]
    if extract.activities.aligned and extract.in_year_order():  # the year's rows of the file are its residents'
        yield from _file_blocks(extract, year, place, member, columns)
    else:
        frame = extract.activities.read(years=[year], columns=["pnr", *columns])
        found = positions(adults, frame, ["pnr"])  # every adult resident has a row (the contract's coverage rule)
        yield Block(place, member, _with_contact({c: frame.pop(c).to_numpy()[found] for c in columns}))
    stamdata = extract.stamdata
    at = positions(adults, stamdata, ["pnr"])
    yield Block(place, member, {"foranstaltning_barndom": stamdata["foranstaltning_barndom"].to_numpy()[at]})


def _file_blocks(extract: Extract, year: int, place: np.ndarray, member: dict[str, np.ndarray],
                 columns: list[str]) -> Iterator[Block]:
    """The measures of forbrug's rows of `year` (its residents', children too: their place is
    past every municipality's), read from the file and taken a block at a time."""
    rows, adult = extract.rows_of_year(year), _adult_rows(extract, year)
    where = np.full(rows.stop - rows.start, place.max(initial=-1) + 1, dtype=place.dtype)  # codes 0..n-1: n is past them
    where[adult] = place
    flags = {g: np.zeros(len(where), dtype=bool) for g in member}
    for g, values in member.items():
        flags[g][adult] = values
    first = 0
    for block in extract.activities.read_rows(rows, columns, BLOCK_ROWS).to_batches():
        chosen = slice(first, first + block.num_rows)
        yield Block(where[chosen], {g: f[chosen] for g, f in flags.items()},
                    _with_contact({c: block.column(c).to_numpy(zero_copy_only=False) for c in columns}))
        first += block.num_rows


def _with_contact(measures: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """forbrug's measures and psyk_kontakt (admitted or an outpatient contact in psychiatry)."""
    return {"psyk_kontakt": (measures["psyk_indlagt_dage"] > 0) | (measures["psyk_ambulante_kontakter"] > 0),
            **measures}


def _block_counts(blocks: Iterator[Block], kom: pd.Index) -> list[pd.DataFrame]:
    """Per measure and group (the members' groups and all adults), persons with a non-zero value
    (antal) and the sum of the values (maengde) per municipality, summed block by block."""
    size = len(kom) + 1  # a last place for rows that are not adults'
    sums = {}
    for block in blocks:
        chosen = {POPULATION: slice(None), **{g: np.flatnonzero(f) for g, f in block.member.items()}}
        for gruppe, rows in chosen.items():
            at = block.place[rows]
            for maal, values in block.measures.items():
                antal, maengde = sums.setdefault((maal, gruppe), (np.zeros(size, np.int64), np.zeros(size)))
                nonzero, total = _sums(at, values[rows], size)
                antal += nonzero
                maengde += total
    return [pd.DataFrame({"kom": kom, "gruppe": gruppe, "maal": maal, "antal": antal[:-1], "maengde": maengde[:-1]})
            for (maal, gruppe), (antal, maengde) in sums.items()]


def _adult_services(extract: Extract, adults: pd.DataFrame, year: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per service (and botilbud, alle_fem): the adults receiving it in `year` (their positions,
    ascending) and its days (persons for botilbud and alle_fem)."""
    days = service_days(extract)
    days = days[days["aar"] == year]
    place = positions(days, adults, ["pnr"])
    services = {}
    for service in codes.SERVICES:
        chosen = (days["ydelse"] == service).to_numpy() & (place >= 0)
        order = np.argsort(place[chosen], kind="stable")
        services[service] = (place[chosen][order], days["dage"].to_numpy(np.float64)[chosen][order])
    for name, among in (("botilbud", BOTILBUD), (ALL_FIVE, codes.TARGET_SERVICES)):
        who = np.unique(np.concatenate([services[service][0] for service in among]))
        services[name] = (who, np.ones(len(who)))
    return services


def activity_counts(extract: Extract, params: Params) -> pd.DataFrame:
    """forbrug (package): per municipality, group and measure, persons with the service or
    activity (antal) and its volume (maengde: days of a service, weeks, hours, contacts, or
    persons for a yes/no measure), for the members, their sub-groups, all adults and the
    members on a botilbud (their target services only)."""
    year = params.aar
    adults = people(extract, year)
    place, kom = pd.factorize(adults["kom"], sort=True)
    member = {g: adults[g].to_numpy() for g in MEMBER_GROUPS}
    groups = [*MEMBER_GROUPS, POPULATION]
    parts = _block_counts(_measure_blocks(extract, adults, place, member, year), kom)
    services = _adult_services(extract, adults, year)
    for maal, (who, days) in services.items():  # few adults receive a service: counted on them alone
        for gruppe in groups:
            keep = slice(None) if gruppe == POPULATION else member[gruppe][who]
            parts.append(_counted(place, kom, gruppe, maal, who[keep], days[keep]))
    table = complete(pd.concat(parts), {"gruppe": groups, "maal": list(MEASURES)}, ["antal", "maengde"])
    on_botilbud = np.zeros(len(adults), dtype=bool)
    on_botilbud[services["botilbud"][0]] = True
    on_botilbud &= member["i_alt"]
    residents = []
    for maal in codes.TARGET_SERVICES:
        who, days = services[maal]
        keep = on_botilbud[who]
        residents.append(_counted(place, kom, ON_BOTILBUD, maal, who[keep], days[keep]))
    residents = complete(pd.concat(residents), {"gruppe": [ON_BOTILBUD], "maal": list(codes.TARGET_SERVICES)},
                         ["antal", "maengde"])
    table = pd.concat([table, residents], ignore_index=True).assign(aar=year)
    return table[["kom", "aar", "gruppe", "maal", "antal", "maengde"]]


# ---- the book's tables, from the protected package rows of the book's areas -------------

def group_sizes(tables: dict[str, pd.DataFrame], year: int) -> pd.DataFrame:
    """omraade, gruppe, n: the members of each group in `year`, and all adults as befolkningen."""
    sizes = tables["maalgruppe"]
    sizes = sizes.loc[sizes["aar"] == year, ["omraade", "gruppe", "antal"]]
    adults = tables["befolkning"]
    adults = adults.loc[adults["gruppe"] == ADULTS, ["omraade", "antal"]].assign(gruppe=POPULATION)
    return pd.concat([sizes, adults], ignore_index=True).rename(columns={"antal": "n"})


def _with_sizes(table: pd.DataFrame, tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    return table.merge(group_sizes(tables, params.aar), on=["omraade", "gruppe"], how="left", sort=False)


def diagnosis_shares(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """diagnoser: share of the target group with each diagnosis group (figures 2–3)."""
    table = _with_sizes(tables["diagnoser"], tables, params)
    return table.assign(andel=ratio(table["antal"], table.pop("n")))


def _measure(tables: dict[str, pd.DataFrame], gruppe: str, maal) -> pd.DataFrame:
    rows = tables["forbrug"]
    return rows[(rows["gruppe"] == gruppe) & rows["maal"].isin(maal)].drop(columns="gruppe")


def _area_sum(rows: pd.DataFrame, column: str) -> pd.Series:
    """Per omraade, the sum of `column`; missing if any part is missing."""
    return rows.groupby("omraade", sort=False)[column].sum(min_count=1).mask(
        rows[column].isna().groupby(rows["omraade"], sort=False).any())


def _municipal_cost(rows: pd.DataFrame, prices: pd.DataFrame) -> pd.Series:
    """The municipality's cost of each row's volume (maengde × kr × andel_kommune)."""
    per_unit = (prices["kr"] * prices["andel_kommune"]).set_axis(prices["post"])
    return rows["maengde"] * rows["maal"].map(per_unit).fillna(0.0).to_numpy()


def service_distribution(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """ydelser_fordeling: members per target service and the municipal cost shares (figures 4–5).

    andel_personer is the share of members receiving the service (a member can receive
    several, so the shares add up to more than 100); andel_udgifter is the service's share
    of the municipality's cost of the five services for the members.
    """
    rows = _measure(tables, "i_alt", codes.TARGET_SERVICES).rename(columns={"maal": "ydelse"})
    rows = rows.assign(gruppe="i_alt").pipe(_with_sizes, tables, params)
    cost = _municipal_cost(rows.rename(columns={"ydelse": "maal"}), load_prices(params.enhedspriser))
    total = rows.assign(kr=cost).pipe(_area_sum, "kr")
    return pd.DataFrame({"aar": rows["aar"], "omraade": rows["omraade"], "ydelse": rows["ydelse"],
                         "antal": rows["antal"], "andel_personer": ratio(rows["antal"], rows["n"]),
                         "andel_udgifter": ratio(cost, rows["omraade"].map(total))})


def botilbud_cost_share(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """udgifter_botilbud: members on a botilbud and their share of the five services' municipal cost."""
    prices = load_prices(params.enhedspriser)
    on_botilbud = _measure(tables, "i_alt", ["botilbud"]).assign(gruppe="i_alt").pipe(_with_sizes, tables, params)
    costs = {}
    for gruppe in ("i_alt", ON_BOTILBUD):
        rows = _measure(tables, gruppe, codes.TARGET_SERVICES)
        costs[gruppe] = rows.assign(kr=_municipal_cost(rows, prices)).pipe(_area_sum, "kr")
    share = ratio(on_botilbud["omraade"].map(costs[ON_BOTILBUD]), on_botilbud["omraade"].map(costs["i_alt"]))
    return pd.DataFrame({"aar": on_botilbud["aar"], "omraade": on_botilbud["omraade"], "antal": on_botilbud["antal"],
                         "andel_personer": ratio(on_botilbud["antal"], on_botilbud["n"]), "andel_udgifter": share})


def activity_profile(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """forbrug_gennemsnit: the average member's services and activities against all adults
    (figures 6–7, 13–14, childhood measures, botilbud shares): percent of the group with the
    measure, or the mean volume per person."""
    rows = tables["forbrug"]
    rows = rows[rows["gruppe"].isin([*MEMBER_GROUPS, POPULATION]) & rows["maal"].isin(ACTIVITIES)]
    rows = _with_sizes(rows, tables, params)
    share = rows["maal"].isin(SHARE_INDICATORS).to_numpy()
    vaerdi = ratio(rows["antal"], rows["n"]).where(share, ratio(rows["maengde"], rows["n"], scale=1))
    return pd.DataFrame({"aar": rows["aar"], "omraade": rows["omraade"], "gruppe": rows["gruppe"],
                         "maal": rows["maal"], "enhed": rows["maal"].map(UNITS).fillna("pct"), "vaerdi": vaerdi})


def costs_by_main_area(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """udgifter_hovedomraade: public cost per person by main area, all payers and the
    municipalities' share (figure 8); missing where a volume it sums is hidden."""
    prices = load_prices(params.enhedspriser)
    rows = tables["forbrug"]
    rows = rows[rows["gruppe"].isin([*MEMBER_GROUPS, POPULATION])]
    rows = rows.merge(prices[["post", "kr", "andel_kommune", "hovedomraade"]], left_on="maal", right_on="post")
    rows["kr"] = rows["maengde"] * rows["kr"]
    rows["kr_kommune"] = rows["kr"] * rows["andel_kommune"]
    keys = [rows[k] for k in ("aar", "omraade", "gruppe", "hovedomraade")]
    hidden = rows["kr"].isna().groupby(keys, sort=False).any()
    kr = rows[["kr", "kr_kommune"]].groupby(keys, sort=False).sum(min_count=1).mask(hidden, axis=0)
    table = kr.reset_index().pipe(_with_sizes, tables, params)
    table = table.sort_values(["omraade", "gruppe", "hovedomraade"], key=_book_order(table), kind="stable")
    return table.assign(kr_pr_person=ratio(table["kr"], table["n"], scale=1, decimals=0),
                        kr_pr_person_kommune=ratio(table["kr_kommune"], table["n"], scale=1, decimals=0)).drop(
        columns=["kr", "kr_kommune", "n"]).reset_index(drop=True)


def _book_order(table: pd.DataFrame):
    """Sort key: omraade and gruppe in their order of appearance, hovedomraade alphabetically."""
    order = {c: {v: i for i, v in enumerate(dict.fromkeys(table[c]))} for c in ("omraade", "gruppe") if c in table}
    return lambda column: column.map(order[column.name]) if column.name in order else column


def recipient_shares(tables: dict[str, pd.DataFrame], params: Params) -> pd.DataFrame:
    """maalgruppe_andel: members as a share of all adult recipients of each service (figure 9)."""
    services = (*codes.TARGET_SERVICES, ALL_FIVE, "botilbud")
    members_ = _measure(tables, "i_alt", services).rename(columns={"antal": "antal_maalgruppe"})
    everyone = _measure(tables, POPULATION, services).rename(columns={"antal": "antal_modtagere"})
    table = members_.drop(columns="maengde").merge(everyone.drop(columns="maengde"), on=["aar", "omraade", "maal"],
                                                   sort=False)
    table["maal"] = pd.Categorical(table["maal"], categories=services)
    table = table.sort_values(["maal"], kind="stable").sort_values(["omraade"], key=_book_order(table), kind="stable")
    table["andel"] = ratio(table["antal_maalgruppe"], table["antal_modtagere"]).to_numpy()
    return table.rename(columns={"maal": "ydelse"}).astype({"ydelse": "string"}).reset_index(drop=True)[
        ["aar", "omraade", "ydelse", "antal_maalgruppe", "antal_modtagere", "andel"]]
