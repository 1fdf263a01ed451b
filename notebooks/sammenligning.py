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
# # Sammenligning med den publicerede rapport
#
# Bilaget stiller hvert tal, som rapporten offentliggør, op over for det tal, denne
# publikation beregner. Afvigelsen er den relative forskel i procent, og tolerancen er den
# afvigelse, der accepteres — bredere, hvor rapportens tal er aflæst af en figur. Tal, der
# hører til kapitler, som endnu ikke er med i denne version, står som «ikke beregnet».
# På syntetiske data viser bilaget, hvor godt det syntetiske register er kalibreret; på
# rigtige registerdata viser det, om genberegningen rammer rapporten.
#
# Ikke alle rapportens tal kan rammes samtidig med metodekapitlets definitioner. Med voksne
# som nævner svarer figur 10's 18 modtagere af forebyggende indsatser pr. 10.000 til godt
# 8.500 modtagere, mens figur 4 (9 pct. af målgruppen) og figur 9 (målgruppen er 52 pct.
# af modtagerne) tilsammen giver omkring 12.500. Det syntetiske register følger figur 4 og
# 9, og afvigelsen for figur 10 ses i tabellen.

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
from analysis import book
from analysis.registry import read_table

book.start(syntetisk)
rapporttal = read_table(tabeller, "sammenligning")
status = rapporttal["inden_for_tolerance"].value_counts()
book.glue_tal("sm_ja", status.get("ja", 0))
book.glue_tal("sm_nej", status.get("nej", 0))
book.glue_tal("sm_ikke", status.get("ikke beregnet", 0))
book.glue_tal("sm_alle", len(rapporttal))

# %% [markdown]
# Af rapportens {glue:md}`sm_alle` tal ligger {glue:md}`sm_ja` inden for tolerancen og
# {glue:md}`sm_nej` uden for; {glue:md}`sm_ikke` er endnu ikke beregnet.

# %%
decimaler = rapporttal["enhed"].map(lambda enhed: 0 if enhed in ("personer", "kr_pr_borger") else 1)
grupper = rapporttal["gruppe"].map(book.GROUP_NAMES).fillna(rapporttal["gruppe"])
vist = rapporttal.assign(
    figur=rapporttal["figur"].astype("string"),
    maal=rapporttal["maal"] + " — " + grupper.str.lower() + ", " + rapporttal["omraade"].map(book.AREA_NAMES).str.lower(),
    rapport=[book.tal(v, d) for v, d in zip(rapporttal["publiceret"], decimaler)],
    beregnet=[book.tal(v, d) for v, d in zip(rapporttal["beregnet"], decimaler)],
    afvigelse=[book.tal(v, 1) for v in rapporttal["afvigelse_pct"]],
    tolerance=[book.tal(v, 0) for v in rapporttal["tolerance_pct"]],
    status=rapporttal["inden_for_tolerance"].map({"ja": "ja", "nej": "nej", "ikke beregnet": "–",
                                                      "ingen tolerance": "–"}))
book.show_table(vist, {"figur": "Figur", "maal": "Mål", "rapport": "Rapport", "beregnet": "Beregnet",
                       "afvigelse": "Afvigelse, pct.", "tolerance": "Tolerance, pct.", "status": "Inden for"},
                widths=(6, 46, 10, 10, 10, 10, 8))
