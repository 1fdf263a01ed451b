"""How to cite a publication: its title, a plain reference and a BibTeX entry."""
from .reference import municipality_name

TITLE = "Borgeren ved roret — registeranalyse"
AUTHOR = "roret-projektet"
SOURCE = ("Genberegning af Social- og Boligstyrelsen (2024), "
          "Kommunernes omlægning til Borgeren ved Roret")


def title(kommune: int | None) -> str:
    """The book's title; a municipal book names its municipality."""
    return TITLE if kommune is None else f"{TITLE} for {municipality_name(kommune)} Kommune"


def reference(kommune: int | None, version: str, year: int) -> str:
    """A plain reference (Markdown)."""
    return f"{AUTHOR} ({year}). *{title(kommune)}*, version {version}. {SOURCE}."


def bibtex(kommune: int | None, version: str, year: int) -> str:
    """A ready BibTeX entry; the key names the municipality and the version."""
    key = "roret" + ("" if kommune is None else f"_{kommune}") + f"_{version.replace('.', '_')}"
    return "\n".join([
        f"@techreport{{{key},",
        f"  author      = {{{{{AUTHOR}}}}},",
        f"  title       = {{{title(kommune)}}},",
        f"  institution = {{{AUTHOR}}},",
        f"  type        = {{Registeranalyse, version {version}}},",
        f"  year        = {{{year}}},",
        f"  version     = {{{version}}},",
        f"  note        = {{{SOURCE}}}",
        "}",
    ])
