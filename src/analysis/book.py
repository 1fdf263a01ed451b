"""Presentation helpers for the notebooks: banner, Danish numbers, tables and glue.

Notebooks only read disclosed tables (registry.read_table) and present them; every number
comes from a table function in this package.
"""
import math
import numbers
import textwrap

import pandas as pd
from IPython.display import display

from . import figures
from .reference import case_municipalities, municipality_name
from .rounding import danish
from .synth import SYNTHETIC_MARK

SUPPRESSED = ".."

AREA_NAMES = {"landsplan": "Landsplan", "casekommuner": "Casekommuner"}
GROUP_NAMES = {"i_alt": "Målgruppen i alt", "kognitiv": "Kognitivt handicap", "sindslidelse": "Sindslidelse",
               "befolkningen": "Alle voksne"}
SERVICE_NAMES = {
    "sel82": "Forebyggende indsatser (§ 82 a–b)", "sel85": "Socialpædagogisk støtte i eget hjem (§ 85)",
    "abl105_sel85": "Botilbudslignende tilbud (ABL § 105)", "sel107": "Midlertidigt botilbud (§ 107)",
    "sel108": "Længerevarende botilbud (§ 108)",
    "sel103_104": "Beskyttet beskæftigelse, aktivitets- og samværstilbud (§ 103–104)",
    "sel95_96": "Kontante tilskud og BPA (§ 95–96)", "sel97": "Ledsagerordning (§ 97)",
    "botilbud": "Botilbud i alt (§ 107, § 108, ABL § 105)", "alle_fem": "Mindst én af de fem ydelser",
}
SERVICE_NAMES = {code: name.replace("§ ", "§\u00a0") for code, name in SERVICE_NAMES.items()}  # "§ 85" never split
DIAGNOSIS_NAMES = {"udviklingshaemning": "Udviklingshæmning", "autisme": "Autisme",
                   "hjerneskade": "Erhvervet hjerneskade", "adhd": "ADHD",
                   "svaer_psykisk": "Svære psykiske lidelser", "moderat_psykisk": "Moderate psykiske lidelser"}
INDICATOR_NAMES = {
    **SERVICE_NAMES, "beskaeftigelse_uger": "Uger i beskæftigelse", "foertidspension_uger": "Uger på førtidspension",
    "kontanthjaelp_uger": "Uger på kontanthjælp o.l.", "beskaeftigelsesindsats_timer": "Timer i beskæftigelsesindsats",
    "uddannelse_uger": "Uger i uddannelse", "psyk_indlagt_dage": "Dage indlagt i psykiatrien",
    "psyk_ambulante_kontakter": "Ambulante psykiatriske kontakter", "som_indlagt_dage": "Dage indlagt, somatik",
    "som_ambulante_kontakter": "Ambulante somatiske kontakter", "fysioterapi": "Fysioterapi",
    "psykofarmaka": "Psykofarmaka", "kriminalitet": "Kontakt med politi, retsvæsen eller kriminalforsorg",
    "psyk_kontakt": "Kontakt med psykiatrisk sygehus", "foranstaltning_barndom": "Foranstaltninger i barndommen",
}
UNIT_NAMES = {"pct": "pct.", "uger": "uger", "timer": "timer", "dage": "dage", "kontakter": "kontakter"}


SECTION = "§\u00a0"  # "§" and its number, joined by a no-break space


def comparison_group(sammenligning: list[int]) -> tuple[str, str]:
    """The comparison group's label and its name in running text: the report's case
    municipalities, or a group of the user's own choosing."""
    if sorted(sammenligning) == sorted(case_municipalities()):
        return "Casekommuner", "casekommunerne"
    return "Sammenligningsgruppen", "sammenligningsgruppen"


def area_names(kommune, kommunenavn, sammenligning: list[int]) -> dict[str, str]:
    """Display names of the areas of a book (the municipality's own when one is chosen)."""
    label = {"casekommuner": comparison_group(sammenligning)[0]}
    return AREA_NAMES | label | ({str(kommune): kommunenavn} if kommune is not None else {})


def comparison_description(sammenligning: list[int]) -> str:
    """One sentence on the comparison group: the report's case municipalities and why they were
    chosen, or, neutrally, the municipalities a user chose."""
    names = enumeration([municipality_name(k) for k in sammenligning])
    if comparison_group(sammenligning)[1] == "casekommunerne":
        return (f"Sammenligningsgruppen er rapportens casekommuner, {names}, der har lagt deres indsats om mod "
                "recovery og rehabilitering.")
    return f"Sammenligningsgruppen er valgt til denne udgave og består af {names}."


def glue_comparison_group(sammenligning: list[int]) -> None:
    """Glue `gruppe` (the group in running text) and `gruppe_beskrivelse` (a sentence on it)."""
    glue_text("gruppe", comparison_group(sammenligning)[1])
    glue_text("gruppe_beskrivelse", comparison_description(sammenligning))


def enumeration(items: list[str]) -> str:
    """Items in running Danish text: «a, b og c»."""
    return " og ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else "".join(items)


def wrap(labels: pd.Series, width: int = 26) -> pd.Series:
    """Long labels broken over lines, for figure titles and axes; never between "§" and its number."""
    return labels.map(lambda text: textwrap.fill(str(text).replace("§ ", SECTION), width))


def value(frame: pd.DataFrame, column: str, **filters):
    """The one value of `column` in the row matching `filters` (missing when suppressed)."""
    rows = frame
    for key, wanted in filters.items():
        rows = rows[rows[key] == wanted]
    if len(rows) != 1:
        raise LookupError(f"{len(rows)} rows match {filters}")
    return rows[column].iloc[0]


class Markdown:
    """Markdown output. IPython's own Markdown reads a text that names a file (such as '..')."""

    def __init__(self, text: str):
        self.text = text

    def _repr_markdown_(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


def start(synthetic: bool) -> None:
    """The first call of every chapter notebook: figure style and the synthetic-data banner."""
    figures.setup()
    banner(synthetic)


def banner(synthetic: bool) -> None:
    """The visible synthetic-data warning at the top of a chapter."""
    if synthetic:
        display(Markdown(f":::{{admonition}} {SYNTHETIC_MARK}\n:class: warning\nTallene i dette kapitel er "
                         "beregnet på et syntetisk register, der efterligner rapportens format og "
                         "størrelsesordener. De må ikke citeres som officielle tal.\n:::"))


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def tal(value, decimals: int = 0) -> str:
    """A number the Danish way (72.000; 12,5); suppressed or missing values as '..'."""
    if _missing(value):
        return SUPPRESSED
    return danish(value, decimals)


def p_value(value) -> str:
    """A p-value the Danish way, small ones as 'under 0,001'."""
    if not _missing(value) and value < 0.001:
        return "under 0,001"
    return tal(value, 3)


def glue_text(name: str, text: str) -> None:
    """Glue text into the narrative as Markdown (use {glue:md}`name`)."""
    from myst_nb import glue
    glue(name, Markdown(text), display=False)


def glue_tal(name: str, value, decimals: int = 0) -> None:
    """Glue a Danish-formatted number ('..' when suppressed) into the narrative."""
    glue_text(name, tal(value, decimals))


def _cell(value, decimals: int) -> str:
    if value is pd.NA or value is None or (isinstance(value, numbers.Number) and not isinstance(value, bool)):
        return tal(value, decimals)
    return str(value)


SOURCES = {  # the "Kilde" line under a figure: (synthetic, uses SØM's prices)
    (True, False): "syntetisk register i Danmarks Statistiks format, beregnet med roret — ikke officielle tal.",
    (True, True): "syntetisk register i Danmarks Statistiks format og Den Socialøkonomiske Investeringsmodel "
                  "(SØM), beregnet med roret — ikke officielle tal.",
    (False, False): "egne beregninger på Danmarks Statistiks registerdata.",
    (False, True): "egne beregninger på Danmarks Statistiks registerdata og Den Socialøkonomiske "
                   "Investeringsmodel (SØM).",
}


def figure_note(text: str, synthetic: bool, report_figure: str | None = None, som: bool = False) -> None:
    """The report's "Anm." and "Kilde" lines under a figure: its definition, population and year
    (`text`), the report figure it corresponds to, and where its numbers come from."""
    counterpart = f" Svarer til rapportens figur {report_figure}." if report_figure else ""
    display(Markdown(f"*Anm.:* {text}{counterpart}\\\n*Kilde:* {SOURCES[synthetic, som]}"))


def show_table(frame: pd.DataFrame, headers: dict[str, str], decimals: int | dict[str, int] = 0,
               right: tuple[str, ...] = (), widths: tuple[int, ...] | None = None, caption: str = "") -> None:
    """Display a table (renders in HTML and PDF) under `caption`; numbers Danish, suppressed as '..'.

    `decimals` is one number for all columns or one per column (others: none). Numeric
    columns, and the columns named in `right` (numbers already formatted), are right-aligned.
    Long tables with long texts give `widths` (relative column widths): the PDF then wraps
    their text instead of running off the page.
    """
    shown = frame[list(headers)]
    places = [decimals.get(c, 0) if isinstance(decimals, dict) else decimals for c in headers]
    rows = [[_cell(v, d) for v, d in zip(row, places)] for row in shown.itertuples(index=False)]
    numbers = [pd.api.types.is_numeric_dtype(shown[c]) or c in right for c in headers]
    if widths:  # the PDF's columns: their share of the line, numbers flush right (LaTeX ignores HTML's alignment)
        total = sum(widths)
        columns = " ".join((r">{\raggedleft\arraybackslash}" if number else r">{\raggedright\arraybackslash}")
                           + rf"p{{\dimexpr {w / total:.3f}\linewidth-2\tabcolsep}}"
                           for w, number in zip(widths, numbers))
        items = ["* - " + "\n  - ".join(cells) for cells in [list(headers.values()), *rows]]
        display(Markdown(f":::{{tabularcolumns}} {columns}\n:::\n\n:::{{list-table}} {caption}\n:header-rows: 1\n"
                         f":width: 100%\n:widths: {' '.join(map(str, widths))}\n\n" + "\n".join(items) + "\n:::"))
        return
    aligned = ["---:" if number else ":---" for number in numbers]
    lines = ["| " + " | ".join(headers.values()) + " |", "|" + "|".join(aligned) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    columns = "".join("R" if number else "L" for number in numbers)
    display(Markdown(f":::{{tabularcolumns}} {columns}\n:::\n\n:::{{table}} {caption}\n" + "\n".join(lines)
                     + "\n:::"))


def about_municipality(kommune, kommunenavn, text: str, values: list, min_celle: int) -> None:
    """A paragraph about the book's municipality (shown only in a municipal book); `text`
    follows "I <navn> Kommune" and writes `values` with `tal`. Where half of them or more are
    suppressed, one plain sentence says so instead."""
    if kommune is None:
        return
    hidden = sum(_missing(v) for v in values)
    if 2 * hidden >= len(values):
        display(Markdown(f"I {kommunenavn} Kommune er der for få borgere til at vise tallene i dette afsnit: "
                         f"de fleste bygger på færre end {min_celle} personer og er diskretioneret."))
        return
    note = f" Tal markeret «{SUPPRESSED}» bygger på for få personer og er diskretioneret." if hidden else ""
    display(Markdown(f"I {kommunenavn} Kommune {text}{note}"))


def suppression_note(frame: pd.DataFrame, column: str, min_celle: int) -> None:
    """Say so under a table or figure when some of its cells are suppressed."""
    if frame[column].isna().any():
        display(Markdown(f"*Celler markeret «{SUPPRESSED}» bygger på færre end {min_celle} personer og er "
                         "diskretioneret; de er udeladt af figuren.*"))
