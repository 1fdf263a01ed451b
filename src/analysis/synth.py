"""Deterministic synthetic register in the data-contract format.

A person-level simulation: a population that ages, dies, migrates and moves between the 98
municipalities; a small share of it belongs to a *track* (a latent condition) whose members
walk the intervention staircase as a yearly Markov chain, so services persist from year to
year. Track sizes are set so that the 2022 target group lands near the report's figures.
Nothing here is real data.
"""
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy.special import ndtr

from . import codes
from .contract import YEAR_RANGE
from .errors import RoretError
from .outputs import staged_output
from .reference import case_municipalities, municipalities

SYNTHETIC_MARK = "Syntetiske data — ikke officielle tal"  # on every page and figure built from it
ADULTS_PER_YEAR = 4_700_000
FIRST_AGE = 16  # the extract holds residents aged 16+, so the adult filter matters
MAX_AGE = 105
MOVE_RATE = 0.04
MIGRATION_RATE = 0.005

# Steps of the default staircase and the service that puts a person on each.
STEP_SERVICE = np.array(["", "sel82", "sel85", "sel107", "abl105_sel85", "sel108"], dtype=object)

# Track membership is rarer at old ages: its weight falls linearly from OLD_AGE_FROM over
# OLD_AGE_SPAN years to OLD_AGE_FLOOR (few members are pensioners).
OLD_AGE_FROM, OLD_AGE_SPAN, OLD_AGE_FLOOR = 55, 30, 0.1

# Tracks: 0 = none; the others walk the staircase. "begge" carries both target reasons.
TRACKS = ("ingen", "kognitiv", "begge", "sindslidelse", "andet")
# Adult service recipients (step >= 1) aimed for in CALIBRATION_YEAR (or the span's year nearest
# to it), full scale (report: 72,000 in the
# target group of whom 44,000 kognitiv and 34,000 sindslidelse; 87 % of all recipients).
CALIBRATION_YEAR = 2022  # the report's year: track sizes are set to hit its figures then
TRACK_TARGET = {"kognitiv": 38_000, "begge": 6_000, "sindslidelse": 28_500, "andet": 12_500}

# The staircase as a yearly Markov chain per track. STEP_SHARES: the stationary share of the
# track's recipients on steps 1-5; RECEIVING: the share of the track receiving at all;
# DOWN: yearly probabilities of moving down from step i to step j. Upward moves follow from
# detailed balance, so the shares are stationary by construction. Case municipalities are
# more recovery-oriented: more prevention, fewer long-term botilbud, more moves down.
STEP_SHARES = {
    "kognitiv": (0.08, 0.485, 0.105, 0.25, 0.08),
    "sindslidelse": (0.075, 0.695, 0.115, 0.065, 0.05),
    "andet": (0.40, 0.33, 0.06, 0.06, 0.15),
}
RECEIVING = {"kognitiv": 0.75, "sindslidelse": 0.6, "andet": 0.5}
_DOWN_STABLE = {(1, 0): .15, (2, 0): .09, (2, 1): .04, (3, 0): .07, (3, 1): .02, (3, 2): .06, (4, 0): .01,
                (4, 2): .02, (4, 3): .01, (5, 0): .005, (5, 2): .004, (5, 4): .02}
_DOWN_FLUID = {(1, 0): .25, (2, 0): .13, (2, 1): .05, (3, 0): .14, (3, 1): .03, (3, 2): .12, (4, 0): .04,
               (4, 2): .04, (4, 3): .02, (5, 0): .01, (5, 2): .015, (5, 4): .03}
DOWN = {"kognitiv": _DOWN_STABLE, "sindslidelse": _DOWN_FLUID, "andet": _DOWN_FLUID}
CASE_STEP_FACTORS = (1.4, 1.0, 1.0, 1.0, 0.7)  # case municipalities: step shares times these
CASE_DOWN_FACTOR = 1.25  # and moves down from step 2 this much more often
CHAIN_OF_TRACK = {"kognitiv": "kognitiv", "begge": "kognitiv", "sindslidelse": "sindslidelse", "andet": "andet"}

# Share of track members with an extra, non-staircase service in a year with any service.
EXTRA_SERVICES = {  # service: (kognitiv/begge, sindslidelse, andet)
    "sel103_104": (0.45, 0.084, 0.10),
    "sel95_96": (0.08, 0.09, 0.10),
    "sel97": (0.02, 0.01, 0.03),
}
SEL82_WITH_HIGHER_STEP = 0.01
OTHER_REASONS, OTHER_REASON_P = ("fysisk", "socialt", "uoplyst"), (0.5, 0.35, 0.15)

# Activity profiles. status: status_uge48 probabilities (order of codes.STATUSES) by age band
# (<18, 18-29, 30-66, 67+); hours: (share, mean) of employment-measure hours at ages 18-66
# (None: by status, as for everybody); psych: (share with psychiatric contact; given contact,
# share admitted, mean days, share with outpatient contacts, mean contacts); then the
# shares with physiotherapy, psychotropics and crime. "_case": members in case municipalities.
_CHILD, _OLD = (0, .9, 0, 0, 0, 0, .1), (0, 0, 0, 0, 0, 0, 1)
PROFILES = {
    "befolkning": {"status": (_CHILD, (.52, .38, .02, .03, .03, .01, .01), (.82, .02, .02, .03, .03, .08, 0),
                              (.08, 0, 0, 0, 0, 0, .92)),
                   "hours": None, "psych": (.025, .2, 20, .85, 4), "flags": (.07, .09, .04)},
    "kognitiv": {"status": (_CHILD, (.05, .10, 0, .01, .29, .50, .05), (.05, .01, 0, .01, .11, .78, .04), _OLD),
                 "hours": (.27, 212), "psych": (.15, .3, 15, .85, 3), "flags": (.19, .30, .05)},
    "kognitiv_case": {"status": (_CHILD, (.07, .11, 0, .01, .29, .48, .04), (.065, .01, 0, .01, .14, .74, .035),
                                 _OLD),
                      "hours": (.40, 250), "psych": (.15, .3, 15, .85, 3), "flags": (.19, .30, .05)},
    "begge": {"status": (_CHILD, (.05, .10, 0, .02, .30, .48, .05), (.05, .01, 0, .02, .08, .80, .04), _OLD),
              "hours": (.30, 180), "psych": (.43, .5, 32.6, .85, 5.5), "flags": (.15, .50, .06)},
    "begge_case": {"status": (_CHILD, (.07, .12, 0, .02, .35, .40, .04), (.07, .01, 0, .02, .15, .72, .03), _OLD),
                   "hours": (.45, 215), "psych": (.46, .5, 34.8, .85, 5.1), "flags": (.15, .50, .06)},
    "sindslidelse": {"status": (_CHILD, (.06, .12, .01, .03, .41, .28, .09), (.05, .02, 0, .03, .17, .70, .03),
                                _OLD),
                     "hours": (.32, 152), "psych": (.43, .5, 32.6, .85, 5.5), "flags": (.09, .70, .07)},
    "sindslidelse_case": {"status": (_CHILD, (.09, .14, .01, .03, .46, .20, .07), (.08, .02, 0, .03, .37, .47, .03),
                                     _OLD),
                          "hours": (.47, 180), "psych": (.46, .5, 34.8, .85, 5.1), "flags": (.09, .70, .07)},
}
PROFILE_OF_TRACK = ("befolkning", "kognitiv", "begge", "sindslidelse", "sindslidelse")
# Statuses from most to least work capacity (indices into codes.STATUSES), and how strongly
# a person's capacity carries over from year to year (correlation of the latent draws).
CAPACITY_ORDER = (0, 1, 2, 3, 4, 6, 5)
STATUS_PERSISTENCE = 0.85


def _mortality(age: np.ndarray) -> np.ndarray:
    return np.minimum(0.5, np.exp(-10.2 + 0.094 * age))


def chain(name: str, case: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(stationary distribution over steps 0-5, yearly transition matrix) of a track's chain."""
    shares = np.array(STEP_SHARES[name]) * (np.array(CASE_STEP_FACTORS) if case else 1)
    stationary = np.concatenate([[1 - RECEIVING[name]], RECEIVING[name] * shares / shares.sum()])
    matrix = np.zeros((6, 6))
    for (high, low), p in DOWN[name].items():
        p *= CASE_DOWN_FACTOR if case and high == 2 else 1
        matrix[high, low] = p
        matrix[low, high] = stationary[high] * p / stationary[low]
    assert (matrix.sum(axis=1) < 1).all(), f"chain {name}: moves exceed 1"
    matrix[np.diag_indices(6)] = 1 - matrix.sum(axis=1)
    return stationary, matrix


def _draw(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    return (u[:, None] >= cumulative).sum(axis=1)


class Population:
    """Persons, their presence, municipality, age and staircase step in each year."""

    def __init__(self, scale: float, seed: int, years: tuple[int, ...] = codes.YEARS):
        rng = np.random.default_rng([seed, 0])
        self.years = np.array(years)
        kommuner = municipalities()
        self.kom_codes = kommuner["kom"].to_numpy()
        self.kom_weights = kommuner["indbyggere"].to_numpy() / kommuner["indbyggere"].sum()

        ages = np.arange(FIRST_AGE, MAX_AGE + 1)
        survival = np.concatenate([[1.0], np.cumprod(1 - _mortality(ages[:-1]))])
        adult_survival = survival[ages >= 18].sum()
        per_age = survival * ADULTS_PER_YEAR * scale / adult_survival
        counts = rng.poisson(per_age)
        first = self.years[0]
        birth = [np.repeat(first - ages, counts)]
        entry = [np.full(counts.sum(), first)]
        newcomers = int(round(per_age[0]))
        migrants = int(round(MIGRATION_RATE * per_age.sum()))
        for year in self.years[1:]:
            birth += [np.full(newcomers, year - FIRST_AGE), year - rng.integers(20, 46, migrants)]
            entry += [np.full(newcomers + migrants, year)]
        self.birth_year = np.concatenate(birth)
        self.entry_year = np.concatenate(entry)
        n = len(self.birth_year)
        self.pnr = rng.permutation(n).astype(np.int64) + 100_000_001

        self.present = np.zeros((n, len(self.years)), dtype=bool)
        self.kom = np.zeros((n, len(self.years)), dtype=np.int16)
        alive = self.entry_year == first
        kom = rng.choice(self.kom_codes, n, p=self.kom_weights).astype(np.int16)
        for j, year in enumerate(self.years):
            if j:
                age = year - self.birth_year
                emigration = np.where((age >= 20) & (age <= 60), MIGRATION_RATE, 0.0)
                alive &= rng.random(n) >= _mortality(age) + emigration
                alive |= self.entry_year == year
                moving = rng.random(n) < MOVE_RATE
                kom[moving] = rng.choice(self.kom_codes, moving.sum(), p=self.kom_weights)
            self.present[:, j] = alive
            self.kom[:, j] = kom
        self.track = self._assign_tracks(rng)
        self.capacity = rng.standard_normal(n)  # persistent: this year's status leans on last year's
        self.step = self._walk_staircase(rng)

    def age(self, j: int) -> np.ndarray:
        return self.years[j] - self.birth_year

    def _assign_tracks(self, rng: np.random.Generator) -> np.ndarray:
        """Tracks, rarer at old ages, sized so the expected number of adult recipients in the
        calibration year hits its target."""
        calibration = int(np.argmin(np.abs(self.years - CALIBRATION_YEAR)))
        age = self.age(calibration)
        adults = self.present[:, calibration] & (age >= 18)
        weight = np.clip(1 - (age - OLD_AGE_FROM) / OLD_AGE_SPAN, OLD_AGE_FLOOR, 1.0)
        u = rng.random(len(self.pnr))
        track = np.zeros(len(self.pnr), dtype=np.int8)
        lower = np.zeros(len(self.pnr))
        scale = adults.sum() / ADULTS_PER_YEAR
        for code, name in enumerate(TRACKS[1:], start=1):
            receiving = RECEIVING[CHAIN_OF_TRACK[name]]
            share = weight * TRACK_TARGET[name] * scale / (receiving * weight[adults].sum())
            track[(u >= lower) & (u < lower + share)] = code
            lower += share
        return track

    def _walk_staircase(self, rng: np.random.Generator) -> np.ndarray:
        """Steps per person and year; a year's move follows the chain of last year's municipality."""
        step = np.zeros(self.present.shape, dtype=np.int8)
        case = np.isin(self.kom, case_municipalities())
        for code, name in enumerate(TRACKS[1:], start=1):
            members = np.flatnonzero(self.track == code)
            (start, national), (case_start, recovery) = (chain(CHAIN_OF_TRACK[name]),
                                                          chain(CHAIN_OF_TRACK[name], case=True))
            current = _draw(rng, np.where(case[members, 0, None], case_start, start))
            for j in range(len(self.years)):
                if j:
                    current = _draw(rng, np.where(case[members, j - 1, None], recovery[current], national[current]))
                step[members, j] = np.where(self.present[members, j], current, 0)
        return step


def _ydelser(pop: Population, rng: np.random.Generator) -> pd.DataFrame:
    """Service rows of every track member in every year they are on a step."""
    in_track = np.flatnonzero(pop.track > 0)
    track = pop.track[in_track]
    other_reason = np.array(OTHER_REASONS)[rng.choice(3, len(in_track), p=OTHER_REASON_P)]
    propensity = {service: rng.random(len(in_track)) for service in [*EXTRA_SERVICES, "sel82"]}
    column = np.select([track <= 2, track == 3], [0, 1], 2)
    frames = []
    for j, year in enumerate(pop.years):
        step = pop.step[in_track, j]
        previous = pop.step[in_track, j - 1] if j else step
        full_year = 366 if year % 4 == 0 else 365
        on = step > 0
        rows = {step_service: on & (step == s) for s, step_service in enumerate(STEP_SERVICE) if s}
        rows["sel82"] = rows["sel82"] | (on & (step >= 2) & (propensity["sel82"] < SEL82_WITH_HIGHER_STEP))
        for service, shares in EXTRA_SERVICES.items():
            rows[service] = on & (propensity[service] < np.array(shares)[column])
        for service, mask in rows.items():
            index = np.flatnonzero(mask)
            stable = (step[index] == previous[index]) | (service not in STEP_SERVICE)
            days = np.where(stable, full_year, rng.integers(30, full_year, len(index)))
            reasons = {"kognitiv": np.isin(track[index], (1, 2)), "sindslidelse": np.isin(track[index], (2, 3))}
            for reason, has in reasons.items():
                frames.append(pd.DataFrame({"pnr": pop.pnr[in_track[index[has]]], "aar": year,
                                            "kom": pop.kom[in_track[index[has]], j], "ydelse": service,
                                            "maalgruppe": reason, "dage": days[has]}))
            other = track[index] == 4
            frames.append(pd.DataFrame({"pnr": pop.pnr[in_track[index[other]]], "aar": year,
                                        "kom": pop.kom[in_track[index[other]], j], "ydelse": service,
                                        "maalgruppe": other_reason[index[other]], "dage": days[other]}))
    frame = pd.concat(frames, ignore_index=True)
    frame["aar"] = frame["aar"].astype("int16")
    frame["dage"] = frame["dage"].astype("int16")
    return frame.sort_values(["aar", "pnr", "ydelse", "maalgruppe"], ignore_index=True)


def _stamdata(pop: Population, rng: np.random.Generator) -> pd.DataFrame:
    male_share = np.where(np.isin(pop.track, (1, 2)), 0.6, 0.5)
    childhood = np.select([np.isin(pop.track, (1, 2)), pop.track == 3], [0.25, 0.128], 0.04)
    return pd.DataFrame({
        "pnr": pop.pnr,
        "koen": np.where(rng.random(len(pop.pnr)) < male_share, "M", "K"),
        "foed_aar": pop.birth_year.astype("int16"),
        "foranstaltning_barndom": rng.random(len(pop.pnr)) < childhood,
    })


def _diagnoser(pop: Population, rng: np.random.Generator) -> pd.DataFrame:
    cognitive = np.isin(pop.track, (1, 2))
    mental = np.isin(pop.track, (2, 3))
    shares = {  # diagnosis: (cognitive track, mental track, everybody else)
        "udviklingshaemning": (0.35, 0, 0.002), "autisme": (0.21, 0.05, 0.005), "hjerneskade": (0.15, 0, 0.005),
        "adhd": (0.15, 0.10, 0.02), "svaer_psykisk": (0, 0.40, 0.005), "moderat_psykisk": (0.05, 0.40, 0.05),
    }
    frames = []
    for diagnosis, (p_cognitive, p_mental, p_other) in shares.items():
        p = np.where(cognitive | mental, np.maximum(cognitive * p_cognitive, mental * p_mental), p_other)
        chosen = rng.random(len(pop.pnr)) < p
        frames.append(pd.DataFrame({"pnr": pop.pnr[chosen], "diagnosegruppe": diagnosis}))
    return pd.concat(frames, ignore_index=True)


def _forbrug_year(pop: Population, j: int, rng: np.random.Generator, progress) -> pd.DataFrame:
    """Activities and outcomes of every resident in year j, by activity profile and age."""
    progress(f"forbrug {pop.years[j]}")
    who = np.flatnonzero(pop.present[:, j])
    n = len(who)
    age = pop.age(j)[who]
    band = np.digitize(age, (18, 30, 67))
    profile = np.array(PROFILE_OF_TRACK)[pop.track[who]]
    in_case = np.isin(pop.kom[who, j], case_municipalities()) & (profile != "befolkning")
    profile = np.where(in_case, np.char.add(profile.astype(str), "_case"), profile)
    status = np.zeros(n, dtype=np.int8)
    hours = np.zeros(n)
    psych, flags = np.zeros((n, 5)), np.zeros((n, 3))
    # A uniform draw per person-year that is correlated over a person's years (Gaussian copula):
    # the yearly distribution of statuses is unchanged, but statuses persist.
    draw = ndtr(STATUS_PERSISTENCE * pop.capacity[who]
                + np.sqrt(1 - STATUS_PERSISTENCE ** 2) * rng.standard_normal(n))
    for name, spec in PROFILES.items():
        rows = profile == name
        for b, probabilities in enumerate(spec["status"]):
            chosen = np.flatnonzero(rows & (band == b))
            ordered = np.asarray(probabilities, dtype=float)[list(CAPACITY_ORDER)]
            cumulative = np.cumsum(ordered) / ordered.sum()
            position = np.minimum(np.searchsorted(cumulative, draw[chosen], side="right"), len(ordered) - 1)
            status[chosen] = np.asarray(CAPACITY_ORDER)[position]
        if spec["hours"] is not None:
            share, mean = spec["hours"]
            working = np.flatnonzero(rows & (band >= 1) & (band <= 2))
            hours[working] = np.where(rng.random(len(working)) < share,
                                      np.round(rng.gamma(2.0, mean / 2.0, len(working))), 0.0)
        psych[rows], flags[rows] = spec["psych"], spec["flags"]
    s = np.array(codes.STATUSES)[status]
    by_status = np.select([s == "kontanthjaelp", s == "ledig"],
                          [np.round(rng.gamma(2.0, 140.0, n)), np.round(rng.gamma(2.0, 75.0, n))], 0.0)
    target = np.isin(profile, [p for p, spec in PROFILES.items() if spec["hours"] is not None])
    contact = rng.random(n) < psych[:, 0]
    admitted = contact & (rng.random(n) < psych[:, 1])
    outpatient = contact & (~admitted | (rng.random(n) < psych[:, 3]))

    def some(share, mean):
        return np.where(rng.random(n) < share, np.round(rng.gamma(2.0, mean / 2.0, n)), 0.0)

    return pd.DataFrame({
        "pnr": pop.pnr[who],
        "aar": np.full(n, pop.years[j], dtype=np.int16),
        "beskaeftigelse_uger": np.where(s == "beskaeftiget", np.clip(np.round(rng.normal(49, 5, n)), 1, 52),
                                        np.where(rng.random(n) < 0.1, rng.integers(1, 21, n), 0)).astype(float),
        "foertidspension_uger": np.where(s == "foertidspension", 52.0, 0.0),
        "kontanthjaelp_uger": np.where(s == "kontanthjaelp", rng.integers(30, 53, n),
                                       np.where(s == "ledig", rng.integers(0, 10, n), 0)).astype(float),
        "beskaeftigelsesindsats_timer": np.where(target, hours, by_status),
        "uddannelse_uger": np.where(s == "uddannelse", np.clip(np.round(rng.normal(40, 6, n)), 1, 52), 0.0),
        "psyk_indlagt_dage": np.where(admitted, np.maximum(1, np.round(rng.gamma(2.0, psych[:, 2] / 2.0))), 0.0),
        "psyk_ambulante_kontakter": np.where(outpatient, np.maximum(1, np.round(rng.gamma(2.0, psych[:, 4] / 2.0))),
                                             0.0),
        "som_indlagt_dage": some(0.08, 4),
        "som_ambulante_kontakter": some(0.35, 3),
        "fysioterapi": rng.random(n) < flags[:, 0],
        "psykofarmaka": rng.random(n) < flags[:, 1],
        "kriminalitet": rng.random(n) < flags[:, 2],
        "status_uge48": s,
    })


def _write_parquet(frames, path: Path) -> None:
    writer = None
    for frame in frames:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table)
    writer.close()


def check_years(years: tuple[int, ...]) -> None:
    """A span of consecutive years whose oldest residents are born within the contract's years."""
    if not years or list(years) != list(range(years[0], years[-1] + 1)):
        raise RoretError(f"--aar must be consecutive years, e.g. 2010-2024, got {years}")
    if years[0] - MAX_AGE < YEAR_RANGE[0] or years[-1] > YEAR_RANGE[1]:
        raise RoretError(f"--aar must lie within {YEAR_RANGE[0] + MAX_AGE}-{YEAR_RANGE[1]} "
                         f"(residents are up to {MAX_AGE} years old), got {years[0]}-{years[-1]}")


def write_synthetic(out: Path | str, scale: float = 1.0, seed: int = 2024, years: tuple[int, ...] = codes.YEARS,
                    progress: Callable[[str], None] = print) -> dict:
    """Write a synthetic extract of `years` to `out` (replaced atomically); return its description."""
    if not 0 < scale <= 2:
        raise RoretError(f"--scale must be in (0, 2], got {scale}")
    check_years(tuple(years))
    started = time.perf_counter()
    with staged_output(Path(out), "udtraek", progress=progress) as staging:
        progress(f"simulating population {years[0]}-{years[-1]} (scale {scale}, seed {seed})")
        pop = Population(scale, seed, tuple(years))
        progress(f"{len(pop.pnr):,} persons; writing tables")
        years = range(len(pop.years))
        _write_parquet(
            (pd.DataFrame({"pnr": pop.pnr[pop.present[:, j]], "aar": np.int16(pop.years[j]),
                           "kom": pop.kom[pop.present[:, j], j],
                           "alder": pop.age(j)[pop.present[:, j]].astype(np.int8)}) for j in years),
            staging / "bopael.parquet")
        _write_parquet([_stamdata(pop, np.random.default_rng([seed, 1]))], staging / "stamdata.parquet")
        _write_parquet([_ydelser(pop, np.random.default_rng([seed, 2]))], staging / "ydelser.parquet")
        _write_parquet([_diagnoser(pop, np.random.default_rng([seed, 3]))], staging / "diagnoser.parquet")
        _write_parquet((_forbrug_year(pop, j, np.random.default_rng([seed, 4, j]), progress) for j in years),
                       staging / "forbrug.parquet")
        description = {"syntetisk": True, "seed": seed, "scale": scale, "personer": int(len(pop.pnr)),
                       "aar": [int(y) for y in pop.years]}
        (staging / "syntetisk.json").write_text(json.dumps(description, indent=2) + "\n")
    out = Path(out).resolve()
    size = sum(f.stat().st_size for f in out.iterdir())
    progress(f"wrote {out} ({size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s")
    return description
