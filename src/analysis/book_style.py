"""Sphinx extension: how the book reads and looks beyond the theme.

- its style sheet (tables that fit the page, code that wraps);
- a Danish alt text on every figure: its caption and the numbers it shows (which
  `figures.show` writes into the PNG's "Description" text);
- "§" never split from its number;
- bibliography entries as list items of their list (docutils gives them the deprecated role
  doc-biblioentry);
- Danish for the themes' words that have no Danish translation of their own;
- the data links of each chapter page (`downloads.links`).
"""
import re
from pathlib import Path

from docutils import nodes
from PIL import Image

from .book import SECTION
from .downloads import links
from .figures import ALT_TEXT_KEY

STATIC = Path(__file__).parent / "static"
SECTION_NUMBER = re.compile(r"§ (?=\d)")
SEARCH = "Søg i bogen …"
DANISH = {  # the themes' English words, as a reader of the book meets them
    "Color mode": "Farvetema", "Light": "Lyst", "Dark": "Mørkt", "System Settings": "Systemets indstilling",
    "next page": "næste side", "previous page": "forrige side", "Back to top": "Til toppen",
    "Skip to main content": "Gå til indholdet", "Link to this heading": "Link til denne overskrift",
    "Link to this image": "Link til denne figur", "Link to this table": "Link til denne tabel",
    "On this page": "På denne side", "Site navigation": "Navigation", "Version warning": "Advarsel om version",
}
FIXED_LABELS = {  # written into the themes' templates, not translatable
    'aria-label="Announcement"': 'aria-label="Meddelelse"', 'aria-label="Main"': 'aria-label="Hovedmenu"',
    'aria-label="Page"': 'aria-label="Sidens navigation"',
    'title="Toggle primary sidebar"': 'title="Vis eller skjul menuen"',
    'title="Toggle secondary sidebar"': 'title="Vis eller skjul indholdsfortegnelsen"',
}
CATALOGS = ("sphinx", "booktheme")  # Sphinx's and pydata's words; sphinx-book-theme's


def _add_static_path(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def _numbers(app, uri: str) -> str:
    path = Path(uri) if Path(uri).is_absolute() else Path(app.srcdir) / uri
    if path.suffix != ".png" or not path.is_file():
        return ""
    with Image.open(path) as image:
        return image.text.get(ALT_TEXT_KEY, "")


def _section_signs(app, doctree, docname) -> None:
    """"§ 85" with a no-break space everywhere in the text (HTML and PDF), so that a line never
    ends with "§"."""
    for text in list(doctree.findall(nodes.Text)):
        if "§ " in text and not isinstance(text.parent, (nodes.literal, nodes.literal_block)):
            text.parent.replace(text, nodes.Text(SECTION_NUMBER.sub(SECTION, str(text))))


def _alt_texts(app, doctree, docname) -> None:
    for image in doctree.findall(nodes.image):
        figure = image.parent if isinstance(image.parent, nodes.figure) else None
        captions = list(figure.findall(nodes.caption)) if figure is not None else []
        caption = captions[0].astext().strip() if captions else ""
        text = " ".join(filter(None, [caption, _numbers(app, image["uri"])]))
        if text:
            image["alt"] = text


def _citation_roles(app, pagename, templatename, context, doctree) -> None:
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def _danish_catalogs(directory: Path) -> Path:
    """DANISH as gettext catalogs under `directory` (Sphinx reads translations from .mo files)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    catalog = Catalog(locale="da")
    for english, danish in DANISH.items():
        catalog.add(english, danish)
    messages = directory / "da" / "LC_MESSAGES"
    messages.mkdir(parents=True, exist_ok=True)
    for name in CATALOGS:
        with open(messages / f"{name}.mo", "wb") as file:
            write_mo(file, catalog)
    return directory


def _search_text_and_links(app, pagename, templatename, context, doctree) -> None:
    context["theme_search_bar_text"] = SEARCH
    block = links(pagename, app.config.roret_pdf)
    if block and "body" in context:
        context["body"] = context["body"].replace("</h1>", "</h1>\n" + block, 1)


def _fixed_labels(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        danish = text
        for english, label in FIXED_LABELS.items():
            danish = danish.replace(english, label)
        if danish != text:
            page.write_text(danish, encoding="utf-8")


def setup(app):
    locale = _danish_catalogs(Path(app.doctreedir) / "roret-locale")
    for name in CATALOGS:
        app.add_message_catalog(name, str(locale))
    app.add_config_value("roret_pdf", "", "html")  # the PDF's file name, "" without a PDF
    app.connect("html-page-context", _search_text_and_links)
    app.connect("build-finished", _fixed_labels)
    app.connect("builder-inited", _add_static_path)
    app.connect("doctree-resolved", _section_signs)
    app.connect("doctree-resolved", _alt_texts)
    app.connect("html-page-context", _citation_roles)
    app.add_css_file("roret.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
