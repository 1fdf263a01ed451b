# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Bevægelser på indsatstrappen
#
# Indsatstrappen ordner ydelserne efter, hvor indgribende de er. Trappen i denne publikation
# har {glue:md}`tr_trin_antal` trin, nedefra: {glue:md}`tr_trin_liste`. En borgers trin i et
# år er det højeste trin blandt de ydelser, borgeren modtager det år. Bevægelser tælles fra
# trinnet med socialpædagogisk støtte i eget hjem (§ 85), {glue:md}`tr_udgangspunkt`.
#
# Rækkefølgen af trinnene er en **antagelse**: rapportens figur kunne ikke efterprøves, og
# trappen er derfor en datafil, som en kommune kan erstatte med sin egen (parameteren
# `indsatstrappe`).

# %% tags=["parameters"]
tabeller = "../tables"
kommune = None
kommunenavn = None
aar = 2022
trappe_basisaar = 2020
min_celle = 5
syntetisk = True
sammenligning = [169, 265, 657, 751]

# %%
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from analysis import book, figures
from analysis.registry import read_table
from analysis.staircase import direction_share

book.start(syntetisk)
omraader = book.area_names(kommune, kommunenavn, sammenligning)
book.glue_comparison_group(sammenligning)
bevaegelser = read_table(tabeller, "trappe_bevaegelser")
overgange = read_table(tabeller, "trappe_overgange")
test = read_table(tabeller, "trappe_test")
rater = read_table(tabeller, "trappe_pr_10000")
trin = read_table(tabeller, "trappe_trin")
trinnavne = dict(zip(trin["trin"].astype(str), trin["navn"]))
etiketter = dict(zip(trin["trin"].astype(str), book.wrap(trin["navn"], 18)))  # in the figures
udgangspunkt = trin.loc[trin["udgangspunkt"], "navn"].iloc[0]
book.glue_tal("tr_trin_antal", len(trin))
book.glue_text("tr_trin_liste", book.enumeration([navn.lower() for navn in trin["navn"]]))
book.glue_text("tr_udgangspunkt", f"«{udgangspunkt.lower()}»")

book.glue_text("tr_basis", str(trappe_basisaar))
book.glue_text("tr_slut", str(trappe_basisaar + 2))
for omraade in ("landsplan", "casekommuner"):
    for retning in ("ned", "op"):
        book.glue_tal(f"tr_{retning}_{omraade}", direction_share(bevaegelser, omraade, retning), 1)
    book.glue_tal(f"tr_udgaaet_{omraade}", book.value(bevaegelser, "antal", omraade=omraade, bevaegelse="udgaaet"))
book.glue_text("tr_rate_aar", str(int(rater["aar"].iloc[0])))
book.glue_text("tr_alder", f"{int(rater['alder_fra'].iloc[0])}–{int(rater['alder_til'].iloc[0])}")
for ydelse in ("sel82", "sel108"):
    for omraade in ("landsplan", "casekommuner"):
        book.glue_tal(f"tr_rate_{ydelse}_{omraade}", book.value(rater, "pr_10000", omraade=omraade, ydelse=ydelse))
for retning in ("ned", "op"):
    book.glue_text(f"tr_p_{retning}", book.p_value(book.value(test, "p_vaerdi", omraade="casekommuner",
                                                               bevaegelse=retning)))

# %% [markdown]
# ## Forebyggende indsatser og længerevarende botilbud
#
# Figuren svarer til rapportens figur 10. Den viser, hvor mange borgere i målgruppen der
# modtager hver af trappens ydelser i {glue:md}`tr_rate_aar`, pr. 10.000 indbyggere på
# {glue:md}`tr_alder` år, i {glue:md}`gruppe` og på landsplan. I {glue:md}`gruppe` modtog
# {glue:md}`tr_rate_sel82_casekommuner` pr. 10.000 forebyggende indsatser (§ 82) mod
# {glue:md}`tr_rate_sel82_landsplan` på landsplan, mens {glue:md}`tr_rate_sel108_casekommuner`
# mod {glue:md}`tr_rate_sel108_landsplan` boede i længerevarende botilbud (§ 108).
#
# Rapporten siger ikke præcist, hvem der tælles, og hvad der tælles pr. 10.000 af. Denne
# læsning — målgruppens modtagere pr. 10.000 indbyggere i aldersgruppen — er den, hvor
# rapportens figur 4, 9 og 10 passer sammen (se metodekapitlet). Tabellen
# `trappe_pr_10000.csv` har også alle voksne modtagere pr. 10.000 voksne.

# %% mystnb={"figure": {"caption": "Målgruppens modtagere af trappens ydelser pr. 10.000 indbyggere i aldersgruppen.", "name": "fig-pr-10000"}}
vist = rater.assign(omraade=rater["omraade"].map(omraader), ydelse=book.wrap(rater["ydelse"].map(book.SERVICE_NAMES), 30))
figures.show(figures.bars, syntetisk, data=vist.dropna(subset=["pr_10000"]), y="ydelse", x="pr_10000", hue="omraade",
             xlabel="Modtagere i målgruppen pr. 10.000 indbyggere", height=4)

# %%
book.figure_note(f"Borgere i målgruppen i {int(rater['aar'].iloc[0])}, der modtog ydelsen (uanset begrundelse), "
                 f"pr. 10.000 indbyggere på {int(rater['alder_fra'].iloc[0])}–{int(rater['alder_til'].iloc[0])} år "
                 "i samme område og år, efter bopælskommune. "
                 "Rapportens opgørelse er ikke entydig; læsningen er beskrevet i metodekapitlet.", syntetisk, "10")

# %%
book.suppression_note(rater, "pr_10000", min_celle)

# %% [markdown]
# ## Fra støtte i eget hjem: hvor er borgerne to år efter?
#
# Vi følger de borgere i målgruppen, der i {glue:md}`tr_basis` modtog socialpædagogisk
# støtte i eget hjem (§ 85) og ikke stod på et højere trin, frem til {glue:md}`tr_slut`.
# I {glue:md}`gruppe` var {glue:md}`tr_ned_casekommuner` pct. to år efter gået ned ad trappen —
# til en lettere indsats eller ingen indsats — mod {glue:md}`tr_ned_landsplan` pct. på
# landsplan. {glue:md}`tr_op_casekommuner` pct. i {glue:md}`gruppe` og
# {glue:md}`tr_op_landsplan` pct. på landsplan var gået op ad trappen. Borgere, der er døde
# eller udvandret inden {glue:md}`tr_slut` ({glue:md}`tr_udgaaet_landsplan` på landsplan), er
# ikke med i andelene (**antagelse**).
#
# Forskellen mellem {glue:md}`gruppe` og resten af landet er testet med en tosidet test for
# to andele: p-værdien er {glue:md}`tr_p_ned` for bevægelser ned ad trappen og
# {glue:md}`tr_p_op` for bevægelser op.

# %%
if kommune is not None:
    ned, op = (direction_share(bevaegelser, str(kommune), retning) for retning in ("ned", "op"))
    book.about_municipality(kommune, kommunenavn,
                            f"var {book.tal(ned, 1)} pct. af borgerne på § 85 i {trappe_basisaar} gået ned ad "
                            f"trappen to år efter, og {book.tal(op, 1)} pct. var gået op.", [ned, op], min_celle)

# %% mystnb={"figure": {"caption": "Hvor borgere med støtte i eget hjem (§ 85) står to år efter.", "name": "fig-bevaegelser"}}
navne = {"ingen": "Ingen indsats", "lavere": "Lavere trin", "samme": "Samme trin", "hoejere": "Højere trin"}
vist = bevaegelser[bevaegelser["bevaegelse"].isin(list(navne))]
vist = vist.assign(omraade=vist["omraade"].map(omraader), bevaegelse=vist["bevaegelse"].map(navne))


def tegn(data, navne, basisaar):
    figur, akse = plt.subplots(figsize=(8, 3.2))
    bund = None
    for navn, farve in zip(navne.values(), sns.color_palette("colorblind", 4)):  # a hidden share is not drawn
        del_ = data[data["bevaegelse"] == navn].set_index("omraade")["andel"].astype(float)
        akse.barh(del_.index, del_.values, left=None if bund is None else bund.reindex(del_.index).values,
                  label=navn, color=farve)
        bund = del_.fillna(0) if bund is None else bund.add(del_, fill_value=0)
    akse.set(xlabel=f"Andel af borgerne på § 85 i {basisaar} (pct.), trin i {basisaar + 2}", xlim=(0, 100))
    akse.legend(ncol=4, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return figur


figures.show(tegn, syntetisk, data=vist, navne=navne, basisaar=trappe_basisaar)

# %%
book.figure_note(f"Borgere i målgruppen, der i {trappe_basisaar} modtog socialpædagogisk støtte i eget hjem "
                 f"(§ 85) og ikke stod på et højere trin, efter deres trin i {trappe_basisaar + 2}. Døde og "
                 "udvandrede er ikke med.", syntetisk, "11 og 12")

# %%
book.show_table(vist, {"omraade": "Område", "bevaegelse": "Trin to år efter", "antal": "Personer",
                       "andel": "Andel, pct."}, decimals={"andel": 1},
                caption="Borgere på § 85 i basisåret efter trin to år efter.")
book.suppression_note(bevaegelser, "antal", min_celle)

# %% [markdown]
# ## Alle overgange mellem trinnene
#
# Ud over rapporten viser de to figurer overgangene fra hvert trin i {glue:md}`tr_basis` til
# trinnet i {glue:md}`tr_slut` for hele målgruppen på landsplan — som tabel og som
# strømme. Hver række summer til 100. Et trin står tomt, hvis en af dets overgange er
# diskretioneret: uden den skjulte celle kendes trinnets antal ikke, og andelene kan ikke
# beregnes.
# Tabellen bagefter giver 95 pct.-konfidensintervaller (Wilson) for andelene fra § 85.

# %% mystnb={"figure": {"caption": "Overgange mellem trinnene over to år, hele målgruppen på landsplan (pct. af hvert trin).", "name": "fig-overgange"}}
matrix = overgange[(overgange["omraade"] == "landsplan") & (overgange["gruppe"] == "i_alt")
                   & (overgange["til_trin"] != "udgaaet")]
matrix = matrix.assign(fra=matrix["fra_trin"].astype(str).map(etiketter), til=matrix["til_trin"].map(etiketter))
tabel = matrix.pivot(index="fra", columns="til", values="andel").astype(float)
orden = [etiketter[k] for k in sorted(etiketter, key=int) if etiketter[k] in tabel.index or etiketter[k] in tabel.columns]
tabel = tabel.reindex(index=[o for o in orden if o in tabel.index], columns=[o for o in orden if o in tabel.columns])


def tegn(tabel, basisaar):
    figur, akse = plt.subplots(figsize=(7, 4))
    with warnings.catch_warnings():  # a matrix whose every step is hidden is drawn empty, without a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        sns.heatmap(tabel, annot=True, fmt=".0f", cmap="Blues", cbar_kws={"label": "Pct."}, ax=akse)
    akse.set(xlabel=f"Trin i {basisaar + 2}", ylabel=f"Trin i {basisaar}")
    return figur


figures.show(tegn, syntetisk, tabel=tabel, basisaar=trappe_basisaar)

# %%
book.figure_note(f"Hele målgruppen på landsplan efter trin i {trappe_basisaar} og {trappe_basisaar + 2}; hver "
                 "række summer til 100. Ikke i rapporten.", syntetisk)

# %% mystnb={"figure": {"caption": "Strømme fra hvert trin til trinnet to år efter, hele målgruppen på landsplan.", "name": "fig-stroemme"}}
def tegn(flow, orden, basisaar):
    figur, akse = plt.subplots(figsize=(8, 3.6))
    venstre = pd.Series(0.0, index=[o for o in orden if o in set(flow["fra"])])
    for (til, del_), farve in zip(flow.groupby("til", sort=False), sns.color_palette("colorblind", 6)):
        vaerdier = del_.set_index("fra")["andel"].reindex(venstre.index)  # a hidden share is not drawn
        akse.barh(venstre.index, vaerdier, left=venstre, label=til, color=farve)
        venstre += vaerdier.fillna(0)
    akse.invert_yaxis()
    akse.set(xlabel=f"Hvor borgerne står i {basisaar + 2} (pct. af trinnet i {basisaar})", xlim=(0, 100))
    akse.legend(ncol=6, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, fontsize=8)
    return figur


figures.show(tegn, syntetisk, flow=matrix.assign(andel=matrix["andel"].astype(float)), orden=orden,
             basisaar=trappe_basisaar)

# %%
book.figure_note(f"Som figuren ovenfor, vist som strømme fra hvert trin i {trappe_basisaar}. Ikke i rapporten.",
                 syntetisk)

# %%
fra85 = overgange[(overgange["fra_trin"] == int(trin.loc[trin["udgangspunkt"], "trin"].iloc[0])) & (overgange["gruppe"] == "i_alt") & (overgange["til_trin"] != "udgaaet")]
fra85 = fra85.assign(omraade=fra85["omraade"].map(omraader), til=fra85["til_trin"].map(trinnavne))
book.show_table(fra85, {"omraade": "Område", "til": "Trin to år efter", "andel": "Andel, pct.",
                        "ci_lav": "95 pct. KI, nedre", "ci_hoej": "95 pct. KI, øvre"}, decimals=1,
                caption="Overgange fra § 85-trinnet med 95 pct.-konfidensintervaller (Wilson), hele målgruppen.")
book.suppression_note(overgange, "antal", min_celle)
