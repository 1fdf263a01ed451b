"""End to end: a small synthetic extract through `roret build`, then nbval over the executed notebooks."""
import base64
import html as html_lib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from browser import axe_violations, open_offline

from analysis import __version__, batch, execution, publication
from analysis.downloads import CHAPTERS
from analysis.figures import NO_NUMBERS
from analysis import build as pipeline
from analysis.book import SYNTHETIC_MARK, tal
from analysis.cli import main
from analysis.contract import load_extract
from analysis.manifest import sha256
from analysis.params import Params
from analysis.project import ROOT
from analysis.registry import read_table
from analysis.synth import write_synthetic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    data, out = root / "data", root / "out"
    write_synthetic(data, scale=0.01, seed=2024, progress=lambda _: None)
    before = os.getcwd()
    os.chdir(root)  # relative paths, as `make book` gives them
    try:
        assert main(["build", "--data", "data", "--out", "out"]) == 0
        assert os.getcwd() == str(root)  # notebook execution leaves the working directory alone
    finally:
        os.chdir(before)
    return data, out


def test_publication_layout(built):
    _, out = built
    assert (out / "html" / "index.html").is_file()
    assert (out / "pdf" / "roret.pdf").read_bytes()[:5] == b"%PDF-"
    info = subprocess.run(["pdfinfo", str(out / "pdf" / "roret.pdf")], capture_output=True, text=True).stdout
    assert "Title:           Borgeren ved roret" in info and "Author:" in info and "Subject:" in info
    assert (out / "notebooks" / "maalgruppe.ipynb").is_file()
    assert (out / "tables" / "maalgruppe.csv").is_file()
    assert not list(out.parent.glob(".out.*"))  # staging removed after publishing


def test_manifest_fingerprints_inputs_and_tables(built):
    data, out = built
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["version"] == __version__
    assert manifest["data"]["synthetic"] is True
    assert manifest["parameters"] == Params().to_dict()
    assert manifest["inputs"]["data/bopael.parquet"] == sha256(data / "bopael.parquet")
    assert manifest["tables"] == {f"tables/{p.name}": sha256(p) for p in (out / "tables").glob("*.csv")}
    assert "tables/maalgruppe.csv" in manifest["tables"]
    assert manifest["disclosure"] == sha256(out / "disclosure.json")
    assert manifest["packages"]["jupyter-book"].startswith("1.")


def test_glued_numbers_come_from_the_table(built):
    _, out = built
    table = read_table(out / "tables", "maalgruppe")
    national = table[(table["aar"] == 2022) & (table["omraade"] == "landsplan")].set_index("gruppe")["antal"]
    text = re.sub(r"<[^>]+>", "", (out / "html" / "notebooks" / "maalgruppe.html").read_text())
    text = re.sub(r"\s+", " ", text)
    assert f"I 2022 var {tal(national['i_alt'])} voksne på landsplan i målgruppen" in text
    assert f"modtog {tal(national['kognitiv'])} en eller flere" in text


def test_every_page_says_synthetic(built):
    _, out = built
    pages = [p for p in (out / "html").rglob("*.html")
             if "_static" not in p.parts and "http-equiv=\"Refresh\"" not in p.read_text()]
    assert len(pages) >= 5
    for page in pages:
        assert SYNTHETIC_MARK in page.read_text(), page
    notebook = json.loads((out / "notebooks" / "maalgruppe.ipynb").read_text())
    outputs = [o for cell in notebook["cells"] for o in cell.get("outputs", [])]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any(SYNTHETIC_MARK in "".join(o.get("data", {}).get("text/markdown", "")) for o in outputs)


def test_nbval_reproduces_the_executed_notebooks(built):
    _, out = built
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-q",
                             str(out / "notebooks")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_no_person_key_reaches_the_publication(built):
    data, out = built
    keys = set(load_extract(data).bopael["pnr"].astype(str))
    for path in out.rglob("*"):
        if path.suffix in (".csv", ".ipynb", ".html", ".json", ".txt"):
            numbers = set(re.findall(r"\d{9}", path.read_text(errors="ignore")))
            assert not numbers & keys, path


def test_failed_build_leaves_the_previous_publication(built, tmp_path, monkeypatch):
    data, out = built
    before = (out / "manifest.json").read_bytes()
    broken = tmp_path / "broken.py"
    broken.write_text("# %%\nraise RuntimeError('boom')\n")
    monkeypatch.setattr(execution, "notebook_sources", lambda: [broken])
    with pytest.raises(pipeline.BuildError, match="broken.py failed"):
        pipeline.build(pipeline.FromExtract(data, load_extract(data)), out, Params(), pdf=False,
                       progress=lambda _: None)
    assert (out / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["data", "out"]


def test_planted_person_key_fails_the_build_and_publishes_nothing(built, tmp_path, monkeypatch):
    data, out = built
    before = (out / "manifest.json").read_bytes()
    person = int(load_extract(data).bopael["pnr"].iloc[0])
    leaking = tmp_path / "leaking.py"
    leaking.write_text(f"# %%\nprint('borger', {person})\n")
    monkeypatch.setattr(execution, "notebook_sources", lambda: [leaking])
    monkeypatch.setattr(publication, "build_book", lambda *_, **__: None)  # a book of one notebook: its toc would fail
    with pytest.raises(pipeline.BuildError, match=r"(?s)leak scan failed.*notebooks/leaking.ipynb \(cell"):
        pipeline.build(pipeline.FromExtract(data, load_extract(data)), out, Params(), pdf=False,
                       progress=lambda _: None)
    assert (out / "manifest.json").read_bytes() == before


def test_disclosure_audit_is_published(built):
    _, out = built
    record = json.loads((out / "disclosure.json").read_text())
    table = read_table(out / "tables", "maalgruppe")
    assert record["graense"] == 5
    assert len(record["tabeller"]["maalgruppe"]) == table["antal"].isna().sum()


@pytest.fixture(scope="module")
def aarhus(built, tmp_path_factory):
    data, _ = built
    out = tmp_path_factory.mktemp("aarhus") / "out"
    assert main(["build", "--data", str(data), "--out", str(out), "--kommune", "751", "--no-pdf"]) == 0
    return out


def test_a_municipal_book_names_the_municipality(aarhus):
    assert "for Aarhus Kommune" in (aarhus / "html" / "book" / "intro.html").read_text()
    table = read_table(aarhus / "tables", "maalgruppe")
    members = table[(table["omraade"] == "751") & (table["aar"] == 2022)].set_index("gruppe")["antal"]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (aarhus / "html" / "notebooks" / "maalgruppe.html").read_text()))
    assert f"I Aarhus Kommune var {tal(members['i_alt'])} voksne i målgruppen i 2022" in text
    assert "Hvis Aarhus Kommune hvert år" in re.sub(r"<[^>]+>", "", (aarhus / "html" / "notebooks" / "som.html").read_text())
    assert "751" in set(table["omraade"])


def figure_texts(notebook: Path) -> dict[str, str]:
    """The text drawn in each named figure of an executed notebook (its vector PDF, through pdftotext)."""
    texts = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        name = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("name")
        for output in cell.get("outputs", []):
            if name and "application/pdf" in output.get("data", {}):
                pdf = base64.b64decode(output["data"]["application/pdf"])
                drawn = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
                texts[name] = re.sub(r"\s+", " ", drawn.decode())
    return texts


def test_own_staircase_labels_every_figure_table_and_text(built, tmp_path):
    """The Aarhus example's staircase has five steps, with temporary and botilbud-like offers on one;
    with its own threshold and SØM reference years, which the texts state."""
    data, _ = built
    out = tmp_path / "aarhus-eget"
    example = (ROOT / "examples" / "aarhus" / "parametre.yml").read_text()
    params = tmp_path / "parametre.yml"
    params.write_text(example.replace("min_celle: 5", "min_celle: 7").replace("som_referenceaar: [2017, 2020]",
                                                                              "som_referenceaar: [2017, 2019]")
                      .replace("enhedspriser.csv", str(ROOT / "examples" / "aarhus" / "enhedspriser.csv"))
                      .replace("indsatstrappe: indsatstrappe.csv",
                               f"indsatstrappe: {ROOT / 'examples' / 'aarhus' / 'indsatstrappe.csv'}"))
    assert main(["build", "--data", str(data), "--out", str(out), "--params", str(params), "--no-pdf"]) == 0
    page = {name: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (out / "html" / name).read_text()))
            for name in ("book/metode.html", "notebooks/som.html")}
    assert "Intet offentliggjort tal må bygge på færre end 7 personer" in page["book/metode.html"]
    assert "opfylder betingelserne (2017–2019)" in page["notebooks/som.html"]
    names = pd.read_csv(ROOT / "examples" / "aarhus" / "indsatstrappe.csv")["navn"].tolist()
    assert read_table(out / "tables", "trappe_trin")["navn"].tolist() == names
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (out / "html" / "notebooks" / "trappe.html").read_text()))
    assert "har 5 trin, nedefra: " + ", ".join(n.lower() for n in names[:-1]) + " og " + names[-1].lower() in text
    assert "fra trinnet med socialpædagogisk støtte i eget hjem (§ 85), «støtte i eget hjem»" in text
    assert "Udgående indsatser" not in text  # the default staircase's name for the § 85 step
    figures = figure_texts(out / "notebooks" / "trappe.ipynb")
    for name in ("fig-overgange", "fig-stroemme"):  # the steps' own names, never the default's
        assert "ABL" not in figures[name] and "Udgående" not in figures[name] and "§" not in figures[name], name
        for word in ("Støtte i eget hjem", "Midlertidigt og", "botilbudslignende", "Længerevarende"):
            assert word in figures[name], (name, word)


def test_parameters_file_and_flag_overrides_both_take_effect(built, tmp_path):
    data, _ = built
    out = tmp_path / "odense"
    assert main(["compute", "--data", str(data), "--out", str(out), "--params",
                 str(ROOT / "examples" / "aarhus" / "parametre.yml"), "--kommune", "461"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["kommune"] == 461  # the flag wins over the file's 751
    assert manifest["parameters"]["sammenligning"] == [101, 461, 851]  # from the file
    assert manifest["parameters"]["enhedspriser"].endswith("examples/aarhus/enhedspriser.csv")
    assert manifest["inputs"]["indsatstrappe"] == sha256(ROOT / "examples" / "aarhus" / "indsatstrappe.csv")
    steps = set(read_table(out / "tables", "trappe_overgange")["fra_trin"].astype(int))
    assert steps == {1, 2, 3, 4}  # the example's staircase: four steps above "no intervention" (default: five)


def test_build_all_reports_a_failure_builds_the_others_and_matches_single_builds(built, aarhus, tmp_path,
                                                                                 monkeypatch, capsys):
    data, _ = built
    failing = tmp_path / "zz_fejler.py"
    failing.write_text("# %% tags=[\"parameters\"]\nkommune = None\n\n# %%\n"
                       "if kommune == 101:\n    raise RuntimeError('tvunget fejl')\n")
    sources = execution.notebook_sources() + [failing]
    monkeypatch.setattr(batch, "notebook_sources", lambda: sources)
    out = tmp_path / "alle"
    status = main(["build-all", "--data", str(data), "--out", str(out), "--kommuner", "101,751,825", "--jobs", "1",
                   "--no-pdf"])  # one worker: 751 and 825 run in the kernel in which 101 failed
    report = capsys.readouterr().out
    assert status == 1
    assert "built 2 publication(s), 1 failed" in report
    assert re.search(r"101 København: BuildError: notebook zz_fejler.py failed in cell \d+: RuntimeError: tvunget fejl",
                     report)
    assert sorted(p.name for p in out.iterdir()) == ["751", "825", "index.html", "roret-output.json"]
    index = (out / "index.html").read_text()
    assert 'href="751/html/index.html">Aarhus Kommune' in index and "København" not in index
    for directory in ("tables", "notebooks"):  # reused kernel, cached national part, figures remembered: no change
        for single in (aarhus / directory).iterdir():
            assert single.read_bytes() == (out / "751" / directory / single.name).read_bytes(), single.name
    # a small municipality: built, named, its hidden numbers shown as ".." with a note
    laesoe = out / "825"
    assert "for Læsø Kommune" in (laesoe / "html" / "book" / "intro.html").read_text()
    table = read_table(laesoe / "tables", "maalgruppe")
    members = table[(table["omraade"] == "825") & (table["aar"] == 2022)].set_index("gruppe")["antal"]
    assert members.isna().any()  # a few hundred adults at this scale: small cells are hidden
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", (laesoe / "html" / "notebooks" / "maalgruppe.html").read_text()))
    sentence = text[text.index("I Læsø Kommune"):][:400]
    if 2 * members.isna().sum() >= len(members):  # mostly hidden: one plain sentence instead of a row of ".."
        assert sentence.startswith("I Læsø Kommune er der for få borgere til at vise tallene i dette afsnit")
    else:
        assert sentence.startswith(f"I Læsø Kommune var {tal(members['i_alt'])} voksne i målgruppen i 2022")
    assert "diskretioneret" in sentence


def test_version_on_front_page_in_pdf_and_manifest(built):
    _, out = built
    front = re.sub(r"<[^>]+>", "", (out / "html" / "book" / "intro.html").read_text())
    assert f"version {__version__}" in front
    text = subprocess.run(["pdftotext", str(out / "pdf" / "roret.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    first_page = text.split("\f")[0]
    assert f"Version {__version__}" in first_page and SYNTHETIC_MARK in first_page
    assert text.count(f"Version {__version__}") >= 5  # the running header of the pages
    assert json.loads((out / "manifest.json").read_text())["version"] == __version__


def test_figures_are_numbered_with_captions(built):
    _, out = built
    page = (out / "html" / "notebooks" / "trappe.html").read_text()
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    assert len(captions) == 4 and all("Figur 3." in c for c in captions)
    text = subprocess.run(["pdftotext", str(out / "pdf" / "roret.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = re.sub(r"\s+", " ", text)
    assert "Figur 3.1: Målgruppens modtagere af trappens ydelser pr. 10.000 indbyggere i aldersgruppen." in text
    after = text[text.index("Figur 3.1: Målgruppens modtagere"):]
    assert re.match(r".{0,200}Anm.: Borgere i målgruppen i 2022, der modtog ydelsen .{0,300}Svarer til rapportens "
                    r"figur 10\. Kilde: syntetisk register", after), after[:600]


def test_reproducibility_appendix_shows_the_manifest(built):
    _, out = built
    manifest = json.loads((out / "manifest.json").read_text())
    page = re.sub(r"<[^>]+>", "", (out / "html" / "notebooks" / "reproducerbarhed.html").read_text())
    grouped = lambda digest: " ".join(digest[i:i + 16] for i in range(0, 64, 16))  # noqa: E731
    assert grouped(manifest["inputs"]["data/bopael.parquet"]) in page
    assert grouped(manifest["inputs"]["enhedspriser"]) in page and "enhedspriser.csv" in page
    assert str(out.parent) not in page  # no local path
    assert manifest["packages"]["pandas"] in page
    assert (out / "html" / "_sources" / "notebooks" / "som.ipynb").is_file()  # downloadable from the page


def test_verify_passes_on_an_untouched_build(built, capsys):
    _, out = built
    assert main(["verify", str(out)]) == 0
    assert "VERIFIED" in capsys.readouterr().out


def test_verify_fails_naming_an_edited_html_page(built, tmp_path, capsys):
    _, out = built
    edited = tmp_path / "out"
    shutil.copytree(out, edited)
    page = edited / "html" / "notebooks" / "maalgruppe.html"
    text = page.read_text()
    edit = re.sub(r"var ([\d.]+) voksne på landsplan", "var 999 voksne på landsplan", text, count=1)
    assert edit != text
    page.write_text(edit)
    assert main(["verify", str(edited)]) == 1
    report = capsys.readouterr().out
    assert "html/notebooks/maalgruppe.html: differs from its rebuild" in report
    assert "table " not in report and "notebook " not in report  # nothing else changed


def test_verify_fails_naming_the_table_when_one_input_value_changes(built, tmp_path, capsys):
    data, out = built
    changed = tmp_path / "data"
    shutil.copytree(data, changed)
    services = pd.read_parquet(changed / "ydelser.parquet")
    row = services.index[(services["aar"] == 2022) & (services["ydelse"] == "sel108")][0]
    services.loc[row, "dage"] = 1 if services.loc[row, "dage"] != 1 else 2  # one value, one cost
    services.to_parquet(changed / "ydelser.parquet", index=False)
    assert main(["verify", str(out), "--data", str(changed)]) == 1
    report = capsys.readouterr().out
    assert "NOT VERIFIED" in report
    assert "input data/ydelser.parquet changed" in report
    # the public cost per adult of the main area "botilbud" moves (kr_pr_person is whole kroner)
    assert re.search(r"table udgifter_hovedomraade\.csv, row \d+, column 'kr_pr_person': [\d.]+ → [\d.]+", report), report


def test_html_opens_offline_without_console_errors_and_shows_its_figures(built):
    _, out = built
    html = out / "html"
    for page, figures in (("book/intro.html", 0), ("notebooks/maalgruppe.html", 4), ("notebooks/trappe.html", 4),
                          ("notebooks/som.html", 1), ("notebooks/reproducerbarhed.html", 0)):
        errors, dom = open_offline(html / page)
        assert errors == [], (page, errors)
        images = re.findall(r'<img[^>]+src="([^"]+\.png)"', dom)
        assert len(images) >= figures, page
        for image in images:
            assert (html / page).parent.joinpath(image).resolve().is_file(), image
    for page in html.rglob("*.html"):
        assert not re.search(r'(src|href)="https?://', page.read_text()), page
        assert "unpkg.com" not in page.read_text() and "mathjax" not in page.read_text().lower(), page


def html_pages(html: Path) -> list[Path]:
    """Every page of a built book (not the redirecting index.html)."""
    return [page for page in sorted(html.rglob("*.html"))
            if "_static" not in page.parts and 'http-equiv="Refresh"' not in page.read_text()]


def test_every_html_page_passes_axe_core_wcag_21_aa(built):
    """WCAG 2.1 A and AA, as Danish public-sector web publications must meet: no serious or
    critical violation on any page (axe-core, offline, in headless Chromium)."""
    _, out = built
    pages = html_pages(out / "html")
    assert len(pages) >= 14
    found = {page.name: [(v["id"], v["nodes"]) for v in axe_violations(page) if v["impact"] in ("serious", "critical")]
             for page in pages}
    assert not any(found.values()), {page: v for page, v in found.items() if v}


def test_every_page_is_danish_and_every_figure_has_its_caption_and_numbers_as_alt_text(built):
    _, out = built
    for page in html_pages(out / "html"):
        text = page.read_text()
        assert '<html lang="da"' in text, page
        for figure in re.findall(r"<figure.*?</figure>", text, re.S):
            alt = re.sub(r"\s+", " ", html_lib.unescape(re.search(r'<img alt="([^"]*)"', figure).group(1)))
            caption = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", re.search(
                r'<span class="caption-text">(.*?)</span>', figure, re.S).group(1)))).strip()
            numbers = alt[len(caption):]
            assert alt.startswith(caption) and "_images" not in alt, alt
            assert re.search(r"\d", numbers) or numbers.strip() == NO_NUMBERS, alt


def test_every_chapter_links_its_data_and_the_workbooks_hold_the_published_tables(built):
    from openpyxl import load_workbook
    _, out = built
    html = out / "html"
    for chapter, table_ids in CHAPTERS.items():
        page = html / "notebooks" / f"{chapter}.html"
        block = re.search(r'<p class="roret-data">.*?</p>', page.read_text()).group(0)
        for href in re.findall(r'href="([^"]+)"', block):
            assert (page.parent / href).resolve().is_file(), (chapter, href)
        workbook = load_workbook(html / "data" / f"{chapter}.xlsx", read_only=True)
        assert workbook.sheetnames == ["definitioner", *table_ids]
        for table_id in table_ids:  # the published values, suppressed cells empty
            rows = list(workbook[table_id].values)
            table = pd.read_csv(out / "tables" / f"{table_id}.csv", keep_default_na=False, dtype=str)
            assert [str(c) for c in rows[0]] == list(table.columns)
            cells = [["" if v is None else v for v in row] for row in rows[1:]]
            assert len(cells) == len(table)
            assert sum(v == "" for row in cells for v in row) == int((table == "").to_numpy().sum()), table_id
    every = load_workbook(html / "data" / "tabeller.xlsx", read_only=True).sheetnames
    assert every == ["definitioner", *[t for tables in CHAPTERS.values() for t in tables]]
    front = (html / "book" / "intro.html").read_text()
    assert 'href="../data/tabeller.xlsx"' in front and 'href="../data/roret.pdf"' in front
    assert (html / "data" / "roret.pdf").read_bytes() == (out / "pdf" / "roret.pdf").read_bytes()


def alt_text(page: Path, name: str) -> str:
    """The alt text of the figure `name` on a built page."""
    figure = re.search(rf'<figure[^>]*id="{name}".*?</figure>', page.read_text(), re.S).group(0)
    return re.sub(r"\s+", " ", html_lib.unescape(re.search(r'<img alt="([^"]*)"', figure).group(1)))


def test_the_reports_figures_are_shown_as_the_report_draws_them(built, aarhus):
    _, out = built
    page = out / "html" / "notebooks" / "aktiviteter.html"
    assert "Psykofarmaka" in alt_text(page, "fig-aktiviteter") and "somatisk" in alt_text(page, "fig-aktiviteter")
    municipal = alt_text(page, "fig-udgifter-kommune")  # report figure 8: the municipalities' cost per sub-group
    assert municipal.startswith("Kommunernes udgifter") and "Kognitivt handicap: " in municipal
    assert "Landsplan" in municipal and "Aarhus" not in municipal
    own = read_table(aarhus / "tables", "udgifter_hovedomraade")
    shown = own[(own["omraade"] == "751") & own["gruppe"].isin(["kognitiv", "sindslidelse"])]["kr_pr_person_kommune"]
    # the municipality's own panel, wherever its cells are not all hidden
    assert ("Aarhus" in alt_text(aarhus / "html" / "notebooks" / "aktiviteter.html", "fig-udgifter-kommune")) == \
        bool(shown.notna().any())
    text = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", page.read_text())))
    assert "Svarer til rapportens figur 8." in text and "Kilde: syntetisk register" in text


def test_the_reader_meets_danish_words_and_section_signs_with_their_numbers(built):
    _, out = built
    for page in html_pages(out / "html"):
        text = page.read_text()
        for english in ("Color mode", "next page", "previous page", "Search this book", 'aria-label="Main"',
                        "Link to this heading", "Toggle primary sidebar", "Technical Report"):
            assert english not in text, (page.name, english)
        shown = re.sub(r"<[^>]+>", "", re.sub(r"<pre.*?</pre>|<code.*?</code>", "", text, flags=re.S))
        assert not re.search(r"§ \d", html_lib.unescape(shown)), page.name  # a no-break space joins "§" and its number


def test_the_pdf_has_its_contents_as_indhold_and_the_references_under_litteratur(built):
    _, out = built
    pages = subprocess.run(["pdftotext", str(out / "pdf" / "roret.pdf"), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    contents = next(page for page in pages if "Målgruppens størrelse" in page and ". . ." in page)
    assert contents.lstrip().startswith("Indhold") and "Analyse" not in contents.split("\n")[0]
    last = re.sub(r"\s+", " ", "".join(pages[-3:]))
    assert re.search(r"Litteratur \[1\] PwC\. .* \[2\] Social- og Boligstyrelsen\. Kommunernes omlægning til "
                     r"Borgeren ved Roret\. Social- og Boligstyrelsen, Odense, 2024\.", last), last[-600:]
