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
min_celle = 5
syntetisk = True

# %%
import matplotlib.pyplot as plt
import seaborn as sns

from analysis import book
from analysis.registry import read_table

book.setup()
book.banner(syntetisk)
maalgruppe = read_table(tabeller, "maalgruppe")
landsplan = maalgruppe[(maalgruppe["omraade"] == "landsplan") & (maalgruppe["aar"] == aar)].set_index("gruppe")
book.glue_text("mg_aar", str(aar))
book.glue_tal("mg_i_alt", landsplan.at["i_alt", "antal"])
book.glue_tal("mg_kognitiv", landsplan.at["kognitiv", "antal"])
book.glue_tal("mg_sindslidelse", landsplan.at["sindslidelse", "antal"])

# %% [markdown]
# ## Målgruppens størrelse
#
# I {glue:md}`mg_aar` var {glue:md}`mg_i_alt` voksne på landsplan i målgruppen. Heraf
# modtog {glue:md}`mg_kognitiv` en eller flere af ydelserne på grund af et kognitivt
# handicap og {glue:md}`mg_sindslidelse` på grund af en sindslidelse. En borger kan have
# begge begrundelser og tælles da med i begge undergrupper, men kun én gang i alt; derfor
# er summen af undergrupperne større end det samlede antal.

# %%
navne = {"i_alt": "I alt", "kognitiv": "Kognitivt handicap", "sindslidelse": "Sindslidelse"}
omraader = {"landsplan": "Landsplan", "casekommuner": "Casekommuner"}
if kommune is not None:
    omraader[str(kommune)] = kommunenavn
vist = maalgruppe.assign(gruppe=maalgruppe["gruppe"].map(navne), omraade=maalgruppe["omraade"].map(omraader))
tabel = vist.pivot_table(index=["omraade", "aar"], columns="gruppe", values="antal", aggfunc="first", sort=False,
                         dropna=False).reset_index()
book.show_table(tabel, {"omraade": "Område", "aar": "År", **{v: v for v in navne.values()}})
book.suppression_note(maalgruppe, "antal", min_celle)

# %% [markdown]
# Tabellen viser antal personer i målgruppen pr. år for landet, for de fire casekommuner
# tilsammen og, i en kommunal udgave af bogen, for kommunen selv.

# %%
figur = sns.relplot(data=vist.dropna(subset=["antal"]), x="aar", y="antal", hue="gruppe", col="omraade",
                    kind="line", marker="o", facet_kws={"sharey": False}, height=3.6, aspect=1.1)
figur.set_axis_labels("År", "Personer").set_titles("{col_name}")
figur.legend.set_title("")
book.mark_figure(figur.figure, syntetisk)
plt.show()
