"""Sphinx extension: HTML pages that make no request to the internet.

Jupyter Book 1 always loads sphinx-thebe, which puts its (unused) configuration script on
every page twice — a console error — with a CDN address in it. This book has no live code,
so both are dropped.
"""


def _drop_thebe(app, pagename, templatename, context, doctree):
    context["script_files"] = [
        script for script in context.get("script_files", [])
        if "THEBE_JS_URL" not in script.attributes.get("body", "") and "sphinx-thebe" not in str(script)
    ]


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
