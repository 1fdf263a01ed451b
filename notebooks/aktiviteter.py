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
# # Målgruppens ydelser og aktiviteter
#
# Kapitlet beskriver, hvilke andre ydelser og aktiviteter en gennemsnitlig borger i
# målgruppen har i løbet af året, sammenlignet med alle voksne, og hvad det koster det
# offentlige. Til sidst sammenlignes sammenligningsgruppen — som standard rapportens
# casekommuner — med hele landet.

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
import seaborn as sns

from analysis import book, figures
from analysis.registry import read_table

book.start(syntetisk)
omraader = book.area_names(kommune, kommunenavn, sammenligning)
book.glue_comparison_group(sammenligning)
profil = read_table(tabeller, "forbrug_gennemsnit")
udgifter = read_table(tabeller, "udgifter_hovedomraade")


def maal(omraade, gruppe, indikator):
    return book.value(profil, "vaerdi", omraade=omraade, gruppe=gruppe, maal=indikator)


for gruppe in ("kognitiv", "sindslidelse", "befolkningen"):  # weeks and hours whole, shares (pct.) to one decimal
    for indikator, navn, decimaler in (("beskaeftigelse_uger", "besk", 0), ("foertidspension_uger", "ftp", 0),
                                       ("beskaeftigelsesindsats_timer", "indsats", 0), ("sel103_104", "sel103", 1),
                                       ("botilbud", "botilbud", 1), ("foranstaltning_barndom", "barndom", 1)):
        book.glue_tal(f"ak_{navn}_{gruppe}", maal("landsplan", gruppe, indikator), decimaler)
        book.glue_tal(f"ak_{navn}_{gruppe}_case", maal("casekommuner", gruppe, indikator), decimaler)

# %% [markdown]
# ## Ydelser ud over de fem
#
# Borgere med et kognitivt handicap bor oftere på et botilbud end borgere med en
# sindslidelse ({glue:md}`ak_botilbud_kognitiv` mod {glue:md}`ak_botilbud_sindslidelse` pct.), og
# {glue:md}`ak_sel103_kognitiv` pct. af dem går i beskyttet beskæftigelse eller et aktivitets-
# og samværstilbud, mod {glue:md}`ak_sel103_befolkningen` pct. af alle voksne.

# %% mystnb={"figure": {"caption": "Andel af målgruppen og af alle voksne, der modtager andre ydelser end de fem.", "name": "fig-andre-ydelser"}}
ydelser = ["sel85", "abl105_sel85", "sel107", "sel108", "sel103_104", "sel95_96", "sel97"]
valgt = profil[(profil["omraade"] == "landsplan") & profil["maal"].isin(ydelser)]
valgt = valgt.assign(gruppe=valgt["gruppe"].map(book.GROUP_NAMES),
                     maal=book.wrap(valgt["maal"].map(book.SERVICE_NAMES), 40))
figures.show(figures.bars, syntetisk, data=valgt.dropna(subset=["vaerdi"]), y="maal", x="vaerdi", hue="gruppe",
             xlabel="Andel, der modtager ydelsen (pct.), landsplan", height=4.6,
             hue_order=[book.GROUP_NAMES[g] for g in ("kognitiv", "sindslidelse", "befolkningen")])

# %% [markdown]
# ## Beskæftigelse, forsørgelse og sundhed
#
# Meget få i målgruppen er i arbejde: en borger med et kognitivt handicap har i gennemsnit
# {glue:md}`ak_besk_kognitiv` uger i beskæftigelse om året og en borger med en sindslidelse
# {glue:md}`ak_besk_sindslidelse` uger, mod {glue:md}`ak_besk_befolkningen` uger for alle
# voksne. Til gengæld er de i gennemsnit {glue:md}`ak_ftp_kognitiv` og
# {glue:md}`ak_ftp_sindslidelse` uger på førtidspension, og de deltager i langt flere timer
# med beskæftigelsesrettede indsatser ({glue:md}`ak_indsats_kognitiv` og
# {glue:md}`ak_indsats_sindslidelse` timer mod {glue:md}`ak_indsats_befolkningen` for alle voksne).

# %% mystnb={"figure": {"caption": "Beskæftigelse, forsørgelse, sundhed og kriminalitet: målgruppens undergrupper mod alle voksne, landsplan.", "name": "fig-aktiviteter"}}
aktiviteter = ["beskaeftigelse_uger", "foertidspension_uger", "kontanthjaelp_uger", "beskaeftigelsesindsats_timer",
               "psyk_indlagt_dage", "psyk_kontakt", "fysioterapi", "kriminalitet"]
valgt = profil[(profil["omraade"] == "landsplan") & profil["maal"].isin(aktiviteter)]
valgt = valgt.assign(gruppe=valgt["gruppe"].map(book.GROUP_NAMES),
                     maal=book.wrap(valgt["maal"].map(book.INDICATOR_NAMES) + " (" + valgt["enhed"].map(book.UNIT_NAMES)
                                    + ")"))


def tegn(data):
    figur = figures.small_multiples(data, "maal", sns.barplot, columns=4, x="gruppe", y="vaerdi",
                                    order=[book.GROUP_NAMES[g] for g in ("kognitiv", "sindslidelse", "befolkningen")])
    for akse in figur.axes:
        akse.title.set_size(8)
        akse.tick_params(axis="x", labelrotation=30, labelsize=7)
    return figur


figures.show(tegn, syntetisk, data=valgt.dropna(subset=["vaerdi"]))

# %%
book.suppression_note(profil, "vaerdi", min_celle)

# %% [markdown]
# ## Offentlige udgifter pr. borger
#
# Figuren viser de samlede offentlige udgifter pr. borger fordelt på hovedområder, beregnet
# med prisfilen for målgruppen og for alle voksne.

# %% mystnb={"figure": {"caption": "Offentlige udgifter pr. person pr. år fordelt på hovedområder: målgruppen mod alle voksne, landsplan.", "name": "fig-udgifter"}}
valgt = udgifter[(udgifter["omraade"] == "landsplan") & udgifter["gruppe"].isin(["i_alt", "befolkningen"])]
valgt = valgt.assign(gruppe=valgt["gruppe"].map(book.GROUP_NAMES), tkr=valgt["kr_pr_person"] / 1000)
figures.show(figures.bars, syntetisk, data=valgt.dropna(subset=["tkr"]), y="hovedomraade", x="tkr", hue="gruppe",
             xlabel="1.000 kr. pr. person pr. år, landsplan")

# %% [markdown]
# ## Sammenligningsgruppen og hele landet
#
# {glue:md}`gruppe_beskrivelse` Borgerne i målgruppen deltager i {glue:md}`gruppe` i
# gennemsnit i følgende antal timer med beskæftigelsesrettede indsatser, sammenlignet med
# landsplan:
# {glue:md}`ak_indsats_kognitiv_case` mod {glue:md}`ak_indsats_kognitiv` timer for borgere
# med et kognitivt handicap og {glue:md}`ak_indsats_sindslidelse_case` mod
# {glue:md}`ak_indsats_sindslidelse` timer for borgere med en sindslidelse. Figuren viser
# også beskæftigelse, førtidspension og kontakt med psykiatrien. Andelen, der har haft foranstaltninger i barndommen, er
# {glue:md}`ak_barndom_kognitiv_case` pct. (kognitivt handicap) og
# {glue:md}`ak_barndom_sindslidelse_case` pct. (sindslidelse) i {glue:md}`gruppe` mod
# {glue:md}`ak_barndom_kognitiv` og {glue:md}`ak_barndom_sindslidelse` pct. på landsplan.

# %% mystnb={"figure": {"caption": "Beskæftigelse, beskæftigelsesrettede indsatser og kontakt med psykiatrien pr. undergruppe: sammenligningsgruppen (og i en kommunal udgave kommunen) mod landsplan.", "name": "fig-case-land"}}
sammenlign = ["beskaeftigelse_uger", "beskaeftigelsesindsats_timer", "foertidspension_uger", "psyk_indlagt_dage",
              "psyk_ambulante_kontakter", "psyk_kontakt"]
valgt = profil[profil["maal"].isin(sammenlign) & profil["gruppe"].isin(["kognitiv", "sindslidelse"])]
valgt = valgt.assign(omraade=valgt["omraade"].map(omraader), gruppe=valgt["gruppe"].map(book.GROUP_NAMES),
                     maal=book.wrap(valgt["maal"].map(book.INDICATOR_NAMES) + " (" + valgt["enhed"].map(book.UNIT_NAMES)
                                    + ")"))


def tegn(data):
    figur = figures.small_multiples(data, "maal", sns.barplot, columns=3, aspect=1.2, x="gruppe", y="vaerdi",
                                    hue="omraade")
    for akse in figur.axes:
        akse.title.set_size(8)
    return figur


figures.show(tegn, syntetisk, data=valgt.dropna(subset=["vaerdi"]))
