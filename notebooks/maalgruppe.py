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
# # Målgruppen
#
# Målgruppen er voksne, der i løbet af året modtager mindst én af fem ydelser efter
# serviceloven — forebyggende indsatser (§ 82 a–b), socialpædagogisk støtte i eget hjem
# (§ 85), botilbudslignende tilbud (almenboligloven § 105 med støtte efter § 85),
# midlertidigt botilbud (§ 107) eller længerevarende botilbud (§ 108) — og som får ydelsen
# på grund af en sindslidelse eller et kognitivt handicap. Afgrænsningen følger
# metodekapitlet.

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
import matplotlib.pyplot as plt
import seaborn as sns

from analysis import book, figures
from analysis.registry import read_table

book.start(syntetisk)
book.glue_tal("min_celle_graense", min_celle)  # the method chapter states the threshold from here
omraader = book.area_names(kommune, kommunenavn, sammenligning)
maalgruppe = read_table(tabeller, "maalgruppe")
diagnoser = read_table(tabeller, "diagnoser")
fordeling = read_table(tabeller, "ydelser_fordeling")
botilbud = read_table(tabeller, "udgifter_botilbud")
andele = read_table(tabeller, "maalgruppe_andel")

book.glue_text("mg_aar", str(aar))
for gruppe in ("i_alt", "kognitiv", "sindslidelse"):
    book.glue_tal(f"mg_{gruppe}", book.value(maalgruppe, "antal", aar=aar, omraade="landsplan", gruppe=gruppe))
book.glue_tal("mg_andel_modtagere", book.value(andele, "andel", omraade="landsplan", ydelse="alle_fem"))
book.glue_tal("mg_andel_botilbud", book.value(andele, "andel", omraade="landsplan", ydelse="botilbud"))
book.glue_tal("mg_andel_sel85", book.value(andele, "andel", omraade="landsplan", ydelse="sel85"))
book.glue_tal("mg_andel_sel82", book.value(andele, "andel", omraade="landsplan", ydelse="sel82"))

# %% [markdown]
# ## Målgruppens størrelse
#
# I {glue:md}`mg_aar` var {glue:md}`mg_i_alt` voksne på landsplan i målgruppen. Heraf
# modtog {glue:md}`mg_kognitiv` en eller flere af ydelserne på grund af et kognitivt
# handicap og {glue:md}`mg_sindslidelse` på grund af en sindslidelse. En borger kan have
# begge begrundelser og tælles da med i begge undergrupper, men kun én gang i alt; derfor
# er summen af undergrupperne større end det samlede antal.
#
# Målgruppen udgør {glue:md}`mg_andel_modtagere` pct. af alle voksne, der modtager mindst én
# af de fem ydelser, og {glue:md}`mg_andel_botilbud` pct. af alle voksne på et botilbud. De
# øvrige modtagere får ydelsen af andre grunde, fx et fysisk handicap eller sociale
# problemer.

# %%
if kommune is not None:
    antal = {g: book.value(maalgruppe, "antal", aar=aar, omraade=str(kommune), gruppe=g)
             for g in ("i_alt", "kognitiv", "sindslidelse")}
    book.about_municipality(kommune, kommunenavn,
                            f"var {book.tal(antal['i_alt'])} voksne i målgruppen i {aar}: "
                            f"{book.tal(antal['kognitiv'])} modtog ydelserne på grund af et kognitivt handicap og "
                            f"{book.tal(antal['sindslidelse'])} på grund af en sindslidelse.", list(antal.values()),
                            min_celle)

# %%
navne = {g: book.GROUP_NAMES[g] for g in ("i_alt", "kognitiv", "sindslidelse")}
vist = maalgruppe.assign(gruppe=maalgruppe["gruppe"].map(navne), omraade=maalgruppe["omraade"].map(omraader),
                         aar_tekst=maalgruppe["aar"].astype("string"))
tabel = vist.pivot_table(index=["omraade", "aar_tekst"], columns="gruppe", values="antal", aggfunc="first", sort=False,
                         dropna=False).reset_index()
book.show_table(tabel, {"omraade": "Område", "aar_tekst": "År", **{v: v for v in navne.values()}},
                caption="Antal voksne i målgruppen efter år, område og undergruppe.")
book.suppression_note(maalgruppe, "antal", min_celle)

# %% mystnb={"figure": {"caption": "Målgruppens størrelse år for år, fordelt på undergrupper og områder.", "name": "fig-maalgruppe-aar"}}
figures.show(figures.small_multiples, syntetisk, data=vist.dropna(subset=["antal"]), panel="omraade", plot=sns.lineplot,
             columns=3, xlabel="År", ylabel="Personer", height=2.6, aspect=1.0, x="aar", y="antal", hue="gruppe",
             marker="o")

# %%
book.figure_note("Voksne (18 år og derover), der i året modtog mindst én af de fem ydelser (§ 108, § 107, "
                 "§ 105 (ABL)/§ 85, § 85 og § 82) på grund af et kognitivt handicap eller en sindslidelse, efter "
                 "bopælskommune i året. En borger med begge begrundelser tælles i begge undergrupper. Rapporten "
                 "oplyser målgruppens størrelse i 2022 i teksten.", syntetisk)

# %% [markdown]
# ## Diagnoser
#
# Diagnoserne stammer fra sygehusenes registreringer. Blandt borgerne med et kognitivt
# handicap har {glue:md}`mg_diag_udv` pct. en diagnose for udviklingshæmning og
# {glue:md}`mg_diag_autisme` pct. en autismediagnose. Blandt borgerne med en sindslidelse
# har {glue:md}`mg_diag_svaer` pct. en svær og {glue:md}`mg_diag_moderat` pct. en moderat
# psykisk lidelse. En borger kan have flere diagnoser, og nogle har ingen registreret diagnose.
#
# Målgruppens undergrupper følger Voksenudredningsmetoden: borgere med en sindslidelse har fx
# angst, depression eller en personlighedsforstyrrelse; borgere med et kognitivt handicap har
# fx en medfødt eller erhvervet hjerneskade, udviklingshæmning, autisme eller ADHD. Svære og
# moderate psykiske lidelser er afgrænset som i Benjaminsen m.fl. (2018), som rapporten bygger på.

# %% mystnb={"figure": {"caption": "Andel af målgruppen med hver diagnosegruppe, for hver undergruppe.", "name": "fig-diagnoser"}}
for navn, gruppe, diagnose in (("udv", "kognitiv", "udviklingshaemning"), ("autisme", "kognitiv", "autisme"),
                               ("svaer", "sindslidelse", "svaer_psykisk"),
                               ("moderat", "sindslidelse", "moderat_psykisk")):
    book.glue_tal(f"mg_diag_{navn}", book.value(diagnoser, "andel", omraade="landsplan", gruppe=gruppe,
                                                 diagnosegruppe=diagnose), 1)
relevante = {"kognitiv": ("udviklingshaemning", "autisme", "hjerneskade", "adhd"),
             "sindslidelse": ("svaer_psykisk", "moderat_psykisk")}
udvalg = diagnoser[diagnoser.apply(lambda r: r["diagnosegruppe"] in relevante.get(r["gruppe"], ()), axis=1)]
udvalg = udvalg.assign(omraade=udvalg["omraade"].map(omraader), gruppe=udvalg["gruppe"].map(book.GROUP_NAMES),
                       diagnosegruppe=udvalg["diagnosegruppe"].map(book.DIAGNOSIS_NAMES))
figures.show(figures.small_multiples, syntetisk, data=udvalg.dropna(subset=["andel"]), panel="gruppe", plot=sns.barplot,
             columns=2, xlabel="Andel af undergruppen (pct.)", height=3.2, aspect=1.1, y="diagnosegruppe", x="andel",
             hue="omraade")

# %%
book.figure_note(f"Andel af undergruppen i {aar} med mindst én diagnose i diagnosegruppen i sygehusenes "
                 "registreringer. Hjerneskade er medfødt eller erhvervet. Svære og moderate psykiske lidelser er "
                 "defineret som i Benjaminsen m.fl. (2018), som rapporten henviser til.", syntetisk, "2 og 3")

# %%
book.suppression_note(udvalg, "andel", min_celle)

# %% [markdown]
# ## Ydelser og udgifter
#
# Socialpædagogisk støtte i eget hjem er den klart mest udbredte af de fem ydelser:
# {glue:md}`mg_sel85_personer` pct. af målgruppen modtager den. Udgifterne fordeler sig
# anderledes. Botilbuddene er dyre pr. borger, og {glue:md}`mg_botilbud_personer` pct. af
# målgruppen, der bor på et botilbud, står for {glue:md}`mg_botilbud_udgifter`
# I rapporten bor ca. 35 pct. af målgruppen på et botilbud, og de står for knap 90 pct. af
# kommunernes udgifter til målgruppen. Udgifterne er beregnet med prisfilen (se kapitlet om data).

# %% mystnb={"figure": {"caption": "Andel af målgruppen, der modtager hver af de fem ydelser, og ydelsens andel af de kommunale udgifter til målgruppen.", "name": "fig-ydelser"}}
book.glue_tal("mg_sel85_personer", book.value(fordeling, "andel_personer", omraade="landsplan", ydelse="sel85"))
book.glue_tal("mg_botilbud_personer", book.value(botilbud, "andel_personer", omraade="landsplan"))
udgifter = book.value(botilbud, "andel_udgifter", omraade="landsplan")
book.glue_text("mg_botilbud_udgifter", "en andel af kommunernes udgifter til de fem ydelser for målgruppen, der ikke kan "
               "vises, fordi et af tallene bag den bygger på for få personer." if book.tal(udgifter) == book.SUPPRESSED
               else f"{book.tal(udgifter)} pct. af kommunernes udgifter til de fem ydelser for målgruppen.")
lang = fordeling.melt(id_vars=["omraade", "ydelse"], value_vars=["andel_personer", "andel_udgifter"],
                      var_name="maal", value_name="andel")
lang = lang.assign(omraade=lang["omraade"].map(omraader), ydelse=lang["ydelse"].map(book.SERVICE_NAMES),
                   maal=lang["maal"].map({"andel_personer": "Andel af målgruppen (pct.)",
                                          "andel_udgifter": "Andel af de kommunale udgifter (pct.)"}))
figures.show(figures.small_multiples, syntetisk, data=lang.dropna(subset=["andel"]), panel="maal", plot=sns.barplot,
             columns=1, height=2.4, aspect=3.4, sharey=True, y="ydelse", x="andel", hue="omraade")

# %%
book.figure_note(f"Andel af målgruppen i {aar}, der modtog ydelsen (en borger kan modtage flere), og ydelsens "
                 "andel af kommunernes udgifter til de fem ydelser for målgruppen, beregnet med prisfilens "
                 "enhedspriser og kommunens andel af betalingen.", syntetisk, "4 og 5", som=True)

# %%
book.suppression_note(fordeling, "andel_personer", min_celle)

# %% [markdown]
# ## Målgruppens andel af modtagerne
#
# Målgruppen er langt de fleste af dem, der modtager udgående støtte efter § 85
# ({glue:md}`mg_andel_sel85` pct.), mens kun {glue:md}`mg_andel_sel82` pct. af modtagerne af
# forebyggende indsatser efter § 82 er i målgruppen.

# %% mystnb={"figure": {"caption": "Målgruppens andel af alle voksne modtagere af hver ydelse.", "name": "fig-andel-modtagere"}}
vist = andele.assign(omraade=andele["omraade"].map(omraader), ydelse=andele["ydelse"].map(book.SERVICE_NAMES))


def tegn(data):
    figur, akse = plt.subplots(figsize=(8, 3.8))
    sns.barplot(data=data, y="ydelse", x="andel", hue="omraade", ax=akse)
    akse.set(xlabel="Målgruppens andel af alle voksne modtagere (pct.)", ylabel="", xlim=(0, 100))
    sns.move_legend(akse, "lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, title="", frameon=False)
    return figur


figures.show(tegn, syntetisk, data=vist.dropna(subset=["andel"]))

# %%
book.figure_note(f"Borgere i målgruppen som andel af alle voksne, der modtog ydelsen i {aar}, uanset "
                 "begrundelse. Botilbud er § 108, § 107 og § 105 (ABL)/§ 85 under ét.", syntetisk, "9")

# %%
book.suppression_note(andele, "andel", min_celle)
