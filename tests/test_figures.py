"""Figures: small multiples, the synthetic mark, and one rendering per format."""
import base64
import io

import matplotlib
import pandas as pd
import pytest
import seaborn as sns

from analysis import figures

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def shares() -> pd.DataFrame:
    """Two areas' shares of three services for two groups; group 2 lacks service "a", and area B
    lacks service "c" in it."""
    rows = [("1", s, a, v) for s, a, v in [("a", "A", 10), ("b", "A", 20), ("c", "A", 30),
                                            ("a", "B", 15), ("b", "B", 25), ("c", "B", 35)]]
    rows += [("2", s, a, v) for s, a, v in [("b", "A", 2), ("c", "A", 3), ("b", "B", 5)]]
    return pd.DataFrame(rows, columns=["gruppe", "ydelse", "omraade", "andel"])


def rows_with_bars(axis) -> set[int]:
    return {round(bar.get_y() + bar.get_height() / 2) for bar in axis.patches if bar.get_width()}


def test_small_multiples_share_colours_categories_and_one_legend():
    figure = figures.small_multiples(shares(), "gruppe", sns.barplot, columns=2, sharey=True, xlabel="Pct.",
                                     y="ydelse", x="andel", hue="omraade")
    axes = {axis.get_title(): axis for axis in figure.axes}
    assert list(axes) == ["1", "2"] and [a.get_title() for a in axes.values()] == ["1", "2"]
    first, second = axes.values()
    assert [label.get_text() for label in first.get_yticklabels()] == ["a", "b", "c"]
    assert rows_with_bars(first) == {0, 1, 2} and rows_with_bars(second) == {1, 2}  # b and c where they are in 1
    assert all(a.get_legend() is None for a in axes.values())
    (legend,) = figure.legends
    assert [t.get_text() for t in legend.get_texts()] == ["A", "B"]
    colours = [{tuple(bar.get_facecolor()) for bar in a.patches if bar.get_width()} for a in axes.values()]
    assert colours[0] == colours[1] and len(colours[0]) == 2
    assert [a.get_xlabel() for a in axes.values()] == ["Pct.", "Pct."]


def test_bars_draw_one_bar_per_row_and_hue_with_an_untitled_legend():
    one_group = shares()[shares()["gruppe"] == "1"]
    figure = figures.bars(one_group, y="ydelse", x="andel", hue="omraade", xlabel="Pct.", height=3,
                          hue_order=["B", "A"])
    (axes,) = figure.axes
    assert figure.get_figheight() == 3 and (axes.get_xlabel(), axes.get_ylabel()) == ("Pct.", "")
    assert [label.get_text() for label in axes.get_yticklabels()] == ["a", "b", "c"]
    assert sorted(bar.get_width() for bar in axes.patches if bar.get_width()) == sorted(one_group["andel"])
    legend = axes.get_legend()
    assert legend.get_title().get_text() == "" and [t.get_text() for t in legend.get_texts()] == ["B", "A"]


def test_small_multiples_label_outer_panels_and_keep_ticks_above_a_gap():
    data = pd.DataFrame({"maal": list("pqrst"), "x": ["u"] * 5, "y": [1, 2, 3, 4, 5]})
    figure = figures.small_multiples(data, "maal", sns.barplot, columns=3, xlabel="X", ylabel="Y", x="x", y="y")
    axes = {axis.get_title(): axis for axis in figure.axes}
    assert len(figure.axes) == 5  # the sixth cell of the 2 × 3 grid is removed
    assert [axes[m].get_ylabel() for m in "pqrst"] == ["Y", "", "", "Y", ""]
    assert [axes[m].get_xlabel() for m in "pqrst"] == ["", "", "X", "X", "X"]  # r has no panel below it
    figure.canvas.draw()
    assert any(label.get_visible() and label.get_text() for label in axes["r"].get_xticklabels())
    assert not any(label.get_visible() and label.get_text() for label in axes["p"].get_xticklabels())


def test_synthetic_mark_sits_below_the_axis_label_and_inside_the_returned_box():
    figure, axes = plt.subplots(figsize=(8, 2))  # short figure, label reaching the right edge
    axes.set_xlabel("Andel af borgerne på § 85 i 2020 (pct.), trin i 2022 — " * 2)
    box = figures.mark(figure, synthetic=True)
    renderer = figure.canvas.get_renderer()
    mark = figure.texts[-1]
    assert mark.get_text() == figures.SYNTHETIC_MARK
    extent = mark.get_window_extent(renderer)
    assert extent.y1 <= axes.xaxis.label.get_window_extent(renderer).y0
    assert box.y0 * figure.dpi <= extent.y0 + 1e-6
    plain, _ = plt.subplots()
    figures.mark(plain, synthetic=False)
    assert not plain.texts


@pytest.fixture
def shown(monkeypatch) -> list[dict]:
    """What figures.show displays, with nothing remembered from earlier tests."""
    displayed = []
    monkeypatch.setattr(figures, "display", lambda data, raw: displayed.append(data))
    monkeypatch.setattr(figures, "_shown", {})
    return displayed


@pytest.fixture
def drawn(monkeypatch) -> list[plt.Figure]:
    """The figures figures.show draws and renders."""
    figures_drawn, render = [], figures._displayable
    monkeypatch.setattr(figures, "_displayable", lambda figure, synthetic: figures_drawn.append(figure)
                        or render(figure, synthetic))
    return figures_drawn


def line(width: float) -> plt.Figure:
    figure, axes = plt.subplots(figsize=(width, 3))
    axes.plot([0, 1], [0, 1])
    return figure


def test_show_displays_png_and_pdf_cut_to_one_box_and_closes_the_figure(shown, drawn):
    figures.show(line, synthetic=True, width=4)
    (figure,), (data,) = drawn, shown
    assert not plt.fignum_exists(figure.number)
    assert set(data) == {"image/png", "application/pdf", "text/plain"}
    box = figures.mark(line(4), synthetic=True).padded(figures.PAD_INCHES)
    png = plt.imread(io.BytesIO(base64.b64decode(data["image/png"])))
    assert png.shape[:2] == pytest.approx((box.height * figure.dpi, box.width * figure.dpi), abs=2)
    assert base64.b64decode(data["application/pdf"]).startswith(b"%PDF")


def test_show_draws_a_figure_once_per_function_inputs_and_mark(shown, drawn):
    for width, synthetic in [(4, True), (4, True), (5, True), (4, False), (4, True)]:
        figures.show(line, synthetic, width=width)
    assert [f.get_figwidth() for f in drawn] == [4, 5, 4]
    assert shown[0] == shown[1] == shown[4] and shown[0] != shown[2] and shown[0] != shown[3]


def test_show_remembers_a_bounded_number_of_figures_least_recently_used_out(shown, drawn, monkeypatch):
    monkeypatch.setattr(figures, "SHOWN_KEPT", 2)
    for width in [3, 4, 3, 5, 3, 4]:  # 4 is the least recently used when 5 comes
        figures.show(line, True, width=width)
    assert [f.get_figwidth() for f in drawn] == [3, 4, 5, 4]


def test_every_numeric_axis_is_written_the_danish_way():
    figure, (left, right) = plt.subplots(1, 2)
    left.plot([0, 7.5], [0, 70_000])
    left.set_xticks([0, 2.5, 5, 7.5])
    right.barh(["a", "b"], [1, 2])  # a categorical axis keeps its labels
    figures.danish_axes(figure)
    figure.canvas.draw()
    assert [t.get_text() for t in left.get_xticklabels()] == ["0,0", "2,5", "5,0", "7,5"]
    assert "70.000" in [t.get_text() for t in left.get_yticklabels()]
    assert [t.get_text() for t in right.get_yticklabels()] == ["a", "b"]


def test_tick_decimals_years_and_no_negative_zero():
    from analysis.rounding import danish
    assert [figures.tick_text(v, [0, 0.25, 0.5]) for v in (0, 0.25)] == ["0,00", "0,25"]
    assert figures.tick_text(2020, [2018, 2020, 2022]) == "2020"  # a year, not 2.020
    assert figures.tick_text(4000, [2000, 4000, 6000]) == "4.000"
    assert (danish(-0.0, 1), danish(-1234.5, 1), danish(1_234_567)) == ("0,0", "-1.234,5", "1.234.567")


def test_the_description_names_every_series_category_and_value_even_on_a_shared_axis():
    figure = figures.small_multiples(shares(), "gruppe", sns.barplot, columns=2, sharey=True, xlabel="Pct.",
                                     y="ydelse", x="andel", hue="omraade")
    # panel 2 hides its category labels (shared axis) and lacks area B's "c"
    assert figures.describe(figure) == ("1, Pct.: A: a 10; b 20; c 30. B: a 15; b 25; c 35. "
                                        "2, Pct.: A: b 2; c 3. B: b 5.")


def test_the_description_of_lines_and_a_heatmap():
    years = pd.DataFrame({"aar": [2020, 2021, 2022] * 2, "antal": [1000, 1100, 1250.5, 20, 21, 22],
                          "gruppe": ["a"] * 3 + ["b"] * 3})
    figure, axes = plt.subplots()
    sns.lineplot(data=years, x="aar", y="antal", hue="gruppe", ax=axes)
    assert figures.describe(figure) == "antal: a: 2020 1.000; 2021 1.100; 2022 1.250,5. b: 2020 20; 2021 21; 2022 22."
    figure, axes = plt.subplots()
    sns.heatmap(pd.DataFrame([[1, 2], [3, None]], index=["x", "y"], columns=["p", "q"]), annot=True, ax=axes)
    assert figures.describe(figure) == "x til p 1; x til q 2; y til p 3."


def test_show_writes_the_description_into_the_png(shown, drawn):
    from PIL import Image
    figures.show(figures.bars, synthetic=False, data=shares()[shares()["gruppe"] == "1"], y="ydelse", x="andel",
                 hue="omraade", xlabel="Pct.")
    with Image.open(io.BytesIO(base64.b64decode(shown[0]["image/png"]))) as png:
        assert png.text[figures.ALT_TEXT_KEY] == "Pct.: A: a 10; b 20; c 30. B: a 15; b 25; c 35."


def test_a_figure_whose_numbers_are_all_hidden_says_so():
    figure, axes = plt.subplots()
    sns.heatmap(pd.DataFrame([[None, None]], index=["x"], columns=["p", "q"], dtype=float), annot=True, ax=axes)
    assert figures.describe(figure) == figures.NO_NUMBERS


def test_a_panel_with_one_visible_value_gets_an_axis_from_zero():
    years = pd.DataFrame({"omraade": ["A", "A", "B"], "aar": [2021, 2022, 2022], "antal": [100.0, 120.0, 7.0]})
    figure = figures.small_multiples(years, "omraade", sns.lineplot, columns=2, x="aar", y="antal", marker="o")
    first, second = figure.axes
    assert second.get_ylim() == (0, 7 * 1.25)
    assert first.get_ylim()[0] > 0  # two values: the axis follows them
