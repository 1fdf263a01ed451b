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
# Rapportens tal for casekommunerne sammenlignes altid med rapportens fire casekommuner
# (Høje-Taastrup, Roskilde, Herning og Aarhus), også når denne udgave har valgt en anden
# sammenligningsgruppe. Kolonnen «Note» fortæller, hvordan rapportens tal er fundet: står der
# «rekonstrueret» eller «aflæst», er tallet ikke angivet i rapporten, men regnet ud af eller
# aflæst på en figur.
#
# Figur 10 (modtagere pr. 10.000) er sammenlignet med den læsning, hvor rapportens figur 4,
# 9 og 10 passer sammen: målgruppens modtagere pr. 10.000 indbyggere i aldersgruppen (se
# metodekapitlet).

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
book.glue_tal("sm_uden", status.get("ingen tolerance", 0))
book.glue_tal("sm_alle", len(rapporttal))
uden = rapporttal[rapporttal["inden_for_tolerance"] == "ingen tolerance"]
book.glue_text("sm_uden_forklaring", " ".join(
    f"Figur {r.figur}, {r.maal}, er i rapporten kun angivet som «{r.note}» og har derfor ingen tolerance; "
    f"beregnet: {book.tal(r.beregnet, 1)}" + (" pct." if r.enhed == "pct" else ".") for r in uden.itertuples()) or " ")

# %% [markdown]
# Af rapportens {glue:md}`sm_alle` tal ligger {glue:md}`sm_ja` inden for tolerancen og
# {glue:md}`sm_nej` uden for; {glue:md}`sm_uden` har ingen tolerance, og {glue:md}`sm_ikke`
# er endnu ikke beregnet. {glue:md}`sm_uden_forklaring`

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
                                                      "ingen tolerance": "–"}),
    note=rapporttal["note"].fillna(""))
book.show_table(vist, {"figur": "Figur", "maal": "Mål", "rapport": "Rapport", "beregnet": "Beregnet",
                       "afvigelse": "Afvigelse (pct.)", "tolerance": "Tolerance (pct.)", "status": "Inden for",
                       "note": "Note"},
                right=("rapport", "beregnet", "afvigelse", "tolerance"), widths=(6, 28, 9, 10, 10, 10, 6, 21),
                caption="Rapportens offentliggjorte tal og denne udgaves.")
