"""Sphinx extension: the book's own style sheet (tables that fit the page)."""
from pathlib import Path

STATIC = Path(__file__).parent / "static"


def _add_static_path(app) -> None:
    app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", _add_static_path)
    app.add_css_file("roret.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
