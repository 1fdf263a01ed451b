"""Who the target group are in the chosen year (METHODS.md §1; report figures 2–9 and 13–14).

Every table is reported for each area (national, comparison group, chosen municipality) and
each group: the whole target group (i_alt), its two sub-groups and, where the report
compares with it, all adults (befolkningen). Shares are in percent (0–100).
"""
import pandas as pd

from . import codes
from .areas import areas, in_area
from .contract import Extract
from .disclosure import Rules, additive, overlaps
from .params import Params
from .prices import load_prices, service_costs, service_days, volume_costs
from .rounding import half_away, half_away_all
from .targetgroup import SUBGROUPS, members

BOTILBUD = ("sel107", "sel108", "abl105_sel85")
MEMBER_GROUPS = ("i_alt", *SUBGROUPS)
POPULATION = "befolkningen"
UNITS = {"beskaeftigelse_uger": "uger", "foertidspension_uger": "uger", "kontanthjaelp_uger": "uger",
         "uddannelse_uger": "uger", "beskaeftigelsesindsats_timer": "timer", "psyk_indlagt_dage": "dage",
         "som_indlagt_dage": "dage", "psyk_ambulante_kontakter": "kontakter", "som_ambulante_kontakter": "kontakter"}
SHARE_INDICATORS = (*codes.SERVICES, "botilbud", *codes.FLAG_COLUMNS, "psyk_kontakt", "foranstaltning_barndom")


def people(extract: Extract, year: int) -> pd.DataFrame:
    """Adult residents in `year`: pnr, kom and flags i_alt (member), kognitiv, sindslidelse."""
    def compute():
        residents = extract.bopael
        adults = residents.loc[(residents["aar"] == year) & (residents["alder"] >= 18), ["pnr", "kom"]]
        in_group = members(extract)
        in_group = in_group.loc[in_group["aar"] == year, ["pnr", *SUBGROUPS]].assign(i_alt=True)
        frame = adults.merge(in_group, on="pnr", how="left")
        for column in MEMBER_GROUPS:
            frame[column] = frame[column].astype("boolean").fillna(False).astype(bool)
        return frame.reset_index(drop=True)
    return extract.memo(("people", year), compute)


def _group_masks(frame: pd.DataFrame, with_population: bool) -> dict[str, pd.Series]:
    masks = {group: frame[group] for group in MEMBER_GROUPS}
    if with_population:
        masks[POPULATION] = pd.Series(True, index=frame.index)
    return masks


def municipal_sums(frame: pd.DataFrame, columns: list[str], with_population: bool) -> pd.DataFrame:
    """Per municipality, group and column: persons (n), persons with a non-zero value (antal),
    persons with a value (count) and the sum of the values — enough to summarise any area."""
    parts = []
    for gruppe, mask in _group_masks(frame, with_population).items():
        values = frame.loc[mask, columns].astype("float64")
        by_kom = frame.loc[mask, "kom"]
        stats = pd.DataFrame({"antal": (values != 0).groupby(by_kom).sum().stack(),
                              "count": values.notna().groupby(by_kom).sum().stack(),
                              "total": values.groupby(by_kom).sum().stack()})
        stats.index.names = ["kom", "maal"]
        stats = stats.reset_index().merge(by_kom.value_counts().rename("n"), left_on="kom", right_index=True)
        parts.append(stats.assign(gruppe=gruppe))
    return pd.concat(parts, ignore_index=True)


def summarise(sums: pd.DataFrame, params: Params, columns: list[str], with_population: bool) -> pd.DataFrame:
    """Per area, group and column: persons (n), persons with a non-zero value (antal) and the mean,
    from `municipal_sums`."""
    groups = [*MEMBER_GROUPS, *([POPULATION] if with_population else [])]
    every = pd.MultiIndex.from_product([groups, columns], names=["gruppe", "maal"])
    parts = []
    for omraade, kom in areas(params):
        area = sums[in_area(sums["kom"], kom)]
        persons = area.drop_duplicates(["kom", "gruppe"]).groupby("gruppe")["n"].sum()
        totals = area.groupby(["gruppe", "maal"])[["antal", "count", "total"]].sum().reindex(every, fill_value=0)
        table = totals.reset_index()
        table["n"] = table["gruppe"].map(persons).fillna(0).astype(int)
        table["gennemsnit"] = (table["total"] / table["count"].where(table["count"] > 0)).astype("float64")
        parts.append(table.assign(aar=params.aar, omraade=omraade, antal=table["antal"].astype(int)))
    return pd.concat(parts, ignore_index=True)[["aar", "omraade", "gruppe", "maal", "n", "antal", "gennemsnit"]]


def _with_services(frame: pd.DataFrame, extract: Extract, year: int, services) -> pd.DataFrame:
    """`frame` with a bool column per service: received that year (any reason)."""
    received = extract.ydelser.loc[(extract.ydelser["aar"] == year) & extract.ydelser["ydelse"].isin(services),
                                   ["pnr", "ydelse"]]
    for service in services:
        frame[service] = frame["pnr"].isin(received.loc[received["ydelse"] == service, "pnr"]).to_numpy()
    return frame


def diagnosis_shares(extract: Extract, params: Params) -> pd.DataFrame:
    """diagnoser: share of the target group with each diagnosis group (figures 2–3)."""
    frame = people(extract, params.aar)
    frame = frame[frame["i_alt"]].copy()
    diagnosed = extract.diagnoser
    for diagnosis in codes.DIAGNOSES:
        frame[diagnosis] = frame["pnr"].isin(diagnosed.loc[diagnosed["diagnosegruppe"] == diagnosis, "pnr"]).to_numpy()
    sums = municipal_sums(frame, list(codes.DIAGNOSES), with_population=False)
    table = summarise(sums, params, list(codes.DIAGNOSES), with_population=False)
    table = table.rename(columns={"maal": "diagnosegruppe"})
    return table.assign(andel=(100 * table.pop("gennemsnit")).pipe(half_away_all, 1))


DIAGNOSIS_RULES = Rules(("antal", "n"), follows=("andel",), private=("n",), constraints=lambda t, _: overlaps(
    t, ["aar", "omraade", "diagnosegruppe"], "gruppe", "i_alt", *SUBGROUPS))


def service_distribution(extract: Extract, params: Params) -> pd.DataFrame:
    """ydelser_fordeling: members per target service and the municipal cost shares (figures 4–5).

    andel_personer is the share of members receiving the service (a member can receive
    several, so the shares add up to more than 100); andel_udgifter is the service's share
    of the municipality's cost of the five services for the members.
    """
    frame = people(extract, params.aar)
    frame = frame.loc[frame["i_alt"], ["pnr", "kom"]]
    days = service_days(extract)
    days = days[(days["aar"] == params.aar) & days["ydelse"].isin(codes.TARGET_SERVICES)]
    costs = service_costs(days, load_prices(params.enhedspriser), payer="kommune").merge(frame, on="pnr")
    rows = []
    for omraade, kom in areas(params):
        area = costs[in_area(costs["kom"], kom)]
        n = int(in_area(frame["kom"], kom).sum())
        total = area["kr"].sum()
        for service in codes.TARGET_SERVICES:
            used = area[area["ydelse"] == service]
            rows.append((params.aar, omraade, service, used["pnr"].nunique(), n,
                         half_away(100 * used["pnr"].nunique() / n, 1) if n else None,
                         half_away(100 * used["kr"].sum() / total, 1) if total else None))
    return pd.DataFrame(rows, columns=["aar", "omraade", "ydelse", "antal", "n", "andel_personer", "andel_udgifter"])


SERVICE_RULES = Rules(("antal", "n"), follows=("andel_personer", "andel_udgifter"), private=("n",),
                      constraints=lambda t, _: additive(t, ["omraade"], "ydelse", codes.TARGET_SERVICES))


def botilbud_cost_share(extract: Extract, params: Params) -> pd.DataFrame:
    """udgifter_botilbud: members on a botilbud and their share of the five services' municipal cost."""
    frame = _with_services(people(extract, params.aar).query("i_alt")[["pnr", "kom"]].copy(), extract,
                           params.aar, BOTILBUD)
    frame["botilbud"] = frame[list(BOTILBUD)].any(axis=1)
    days = service_days(extract)
    days = days[(days["aar"] == params.aar) & days["ydelse"].isin(codes.TARGET_SERVICES)]
    costs = service_costs(days, load_prices(params.enhedspriser), payer="kommune")
    frame = frame.merge(costs.groupby("pnr", as_index=False)["kr"].sum(), on="pnr", how="left").fillna({"kr": 0})
    rows = []
    for omraade, kom in areas(params):
        area = frame[in_area(frame["kom"], kom)]
        n, antal, total = len(area), int(area["botilbud"].sum()), area["kr"].sum()
        rows.append((params.aar, omraade, antal, n, n - antal, half_away(100 * antal / n, 1) if n else None,
                     half_away(100 * area.loc[area["botilbud"], "kr"].sum() / total, 1) if total else None))
    return pd.DataFrame(rows, columns=["aar", "omraade", "antal", "n", "uden", "andel_personer", "andel_udgifter"])


BOTILBUD_RULES = Rules(("antal", "n", "uden"), follows=("andel_personer", "andel_udgifter"), private=("n", "uden"))


def _aligned(persons: pd.Series, table: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`columns` of `table` (one row per pnr) for each of `persons`, in their order and with
    their index, missing where it has no row: a left merge that hashes only one side."""
    present = [c for c in columns if c in table]
    found = table.set_index("pnr")[present].reindex(persons.to_numpy()).reindex(columns=columns)
    return found.set_axis(persons.index)


def _activity_sums(extract: Extract, year: int) -> pd.DataFrame:
    frame = _with_services(people(extract, year).copy(), extract, year, codes.SERVICES)
    frame["botilbud"] = frame[list(BOTILBUD)].any(axis=1)
    activities = list(UNITS) + list(codes.FLAG_COLUMNS)
    frame = frame.join(_aligned(frame["pnr"], extract.forbrug[extract.forbrug["aar"] == year], activities))
    frame["psyk_kontakt"] = (frame["psyk_indlagt_dage"] > 0) | (frame["psyk_ambulante_kontakter"] > 0)
    stamdata = extract.stamdata
    frame["foranstaltning_barndom"] = frame["pnr"].isin(stamdata.loc[stamdata["foranstaltning_barndom"], "pnr"])
    return municipal_sums(frame, [*SHARE_INDICATORS, *UNITS], with_population=True)


def activity_profile(extract: Extract, params: Params) -> pd.DataFrame:
    """forbrug_gennemsnit: the average member's services and activities against all adults
    (figures 6–7, 13–14, childhood measures, botilbud shares)."""
    sums = extract.memo(("activity_sums", params.aar), lambda: _activity_sums(extract, params.aar))
    table = summarise(sums, params, [*SHARE_INDICATORS, *UNITS], with_population=True)
    share = table["maal"].isin(SHARE_INDICATORS)
    table.insert(4, "enhed", table["maal"].map(UNITS).fillna("pct"))
    table["vaerdi"] = (table.pop("gennemsnit") * share.map({True: 100, False: 1})).pipe(half_away_all, 1)
    table["uden"] = (table["n"] - table["antal"]).where(share)
    return table


ACTIVITY_RULES = Rules(("antal", "n", "uden"), follows=("vaerdi",), private=("n", "antal", "uden"),
                       constraints=lambda t, _: overlaps(t, ["aar", "omraade", "maal"], "gruppe", "i_alt", *SUBGROUPS))


def _cost_sums(extract: Extract, year: int, prices: pd.DataFrame) -> pd.DataFrame:
    frame = people(extract, year)
    volumes = volume_costs(extract.forbrug[extract.forbrug["aar"] == year], prices).drop(columns="aar")
    days = service_days(extract)
    services = service_costs(days[days["aar"] == year], prices)
    services["hovedomraade"] = services["ydelse"].astype("string").map(prices.set_index("post")["hovedomraade"])
    services = services.pivot_table(index="pnr", columns="hovedomraade", values="kr", aggfunc="sum")
    main_areas = sorted(set(prices["hovedomraade"]))
    costs = (_aligned(frame["pnr"], volumes, main_areas).fillna(0.0)
             + services.reindex(index=frame["pnr"], columns=main_areas).fillna(0.0).to_numpy())
    return municipal_sums(frame.join(costs), main_areas, with_population=True)


def costs_by_main_area(extract: Extract, params: Params) -> pd.DataFrame:
    """udgifter_hovedomraade: public cost per person by main area, all payers (figure 8)."""
    prices = load_prices(params.enhedspriser)
    sums = extract.memo(("cost_sums", params.aar, str(params.enhedspriser)),
                        lambda: _cost_sums(extract, params.aar, prices))
    main_areas = sorted(set(prices["hovedomraade"]))
    table = summarise(sums, params, main_areas, with_population=True).rename(columns={"maal": "hovedomraade"})
    return table.assign(kr_pr_person=table.pop("gennemsnit").pipe(half_away_all, 0))


COST_RULES = Rules(("antal", "n"), follows=("kr_pr_person",), private=("n", "antal"))


def recipient_shares(extract: Extract, params: Params) -> pd.DataFrame:
    """maalgruppe_andel: members as a share of all adult recipients of each service (figure 9)."""
    def adult_recipients() -> pd.DataFrame:  # once per run; every area is a sum over municipalities
        frame = _with_services(people(extract, params.aar).copy(), extract, params.aar, codes.TARGET_SERVICES)
        frame["alle_fem"] = frame[list(codes.TARGET_SERVICES)].any(axis=1)
        frame["botilbud"] = frame[list(BOTILBUD)].any(axis=1)  # botilbud services are among the five
        return frame[frame["alle_fem"]]
    frame = extract.memo(("adult_recipients", params.aar), adult_recipients)
    rows = []
    for omraade, kom in areas(params):
        area = frame[in_area(frame["kom"], kom)]
        for service in (*codes.TARGET_SERVICES, "alle_fem", "botilbud"):
            recipients = area[area[service]]
            in_group = int(recipients["i_alt"].sum())
            rows.append((params.aar, omraade, service, in_group, len(recipients), len(recipients) - in_group,
                         half_away(100 * in_group / len(recipients), 1) if len(recipients) else None))
    return pd.DataFrame(rows, columns=["aar", "omraade", "ydelse", "antal_maalgruppe", "antal_modtagere",
                                       "oevrige", "andel"])


RECIPIENT_RULES = Rules(("antal_maalgruppe", "antal_modtagere", "oevrige"), follows=("andel",), private=("oevrige",))
