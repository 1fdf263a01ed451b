"""Presentation helpers for the notebooks: banner, Danish numbers, tables, figures and glue.

Notebooks only read disclosed tables (registry.read_table) and present them; every number
comes from a table function in this package.
"""
import math
import os

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from IPython.display import Markdown, display
from matplotlib_inline.backend_inline import set_matplotlib_formats

from .synth import SYNTHETIC_MARK

SUPPRESSED = ".."


def setup() -> None:
    """Figure style and formats: PNG for HTML, vector PDF for the LaTeX build.

    The PDF figures' timestamp is pinned so executed notebooks are byte-stable (nbval, verify).
    """
    os.environ["SOURCE_DATE_EPOCH"] = "0"
    sns.set_theme(style="whitegrid", context="notebook", palette="colorblind")
    plt.rcParams.update({"figure.figsize": (8, 4.5), "figure.dpi": 110, "savefig.bbox": "tight",
                         "pdf.fonttype": 42})
    set_matplotlib_formats("png", "pdf")


def banner(synthetic: bool) -> None:
    """The visible synthetic-data warning at the top of a chapter."""
    if synthetic:
        display(Markdown(f":::{{admonition}} {SYNTHETIC_MARK}\n:class: warning\nTallene i dette kapitel er "
                         "beregnet på et syntetisk register, der efterligner rapportens format og "
                         "størrelsesordener. De må ikke citeres som officielle tal.\n:::"))


def tal(value, decimals: int = 0) -> str:
    """A number the Danish way (72.000; 12,5); suppressed or missing values as '..'."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def glue_text(name: str, text: str) -> None:
    """Glue text into the narrative as Markdown (use {glue:md}`name`)."""
    from myst_nb import glue
    glue(name, Markdown(text), display=False)


def glue_tal(name: str, value, decimals: int = 0) -> None:
    """Glue a Danish-formatted number ('..' when suppressed) into the narrative."""
    glue_text(name, tal(value, decimals))


def show_table(frame: pd.DataFrame, headers: dict[str, str], decimals: int = 0) -> None:
    """Display a table as Markdown (renders in HTML and PDF); numbers Danish, suppressed as '..'."""
    shown = frame[list(headers)]
    lines = ["| " + " | ".join(headers.values()) + " |",
             "|" + "|".join("---:" if pd.api.types.is_numeric_dtype(shown[c]) else ":---" for c in headers) + "|"]
    for row in shown.itertuples(index=False):
        cells = [tal(v, decimals) if isinstance(v, (int, float)) or v is pd.NA else str(v) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    display(Markdown("\n".join(lines)))


def suppression_note(frame: pd.DataFrame, column: str, min_celle: int) -> None:
    """Say so under a table or figure when some of its cells are suppressed."""
    if frame[column].isna().any():
        display(Markdown(f"*Celler markeret «{SUPPRESSED}» bygger på færre end {min_celle} personer og er "
                         "diskretioneret; de er udeladt af figuren.*"))


def mark_figure(figure: plt.Figure, synthetic: bool) -> None:
    """Stamp the synthetic-data warning on a figure."""
    if synthetic:
        figure.text(0.99, 0.01, SYNTHETIC_MARK, ha="right", va="bottom", fontsize=9, color="firebrick",
                    alpha=0.85, transform=figure.transFigure)
