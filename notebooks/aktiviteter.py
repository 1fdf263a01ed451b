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
             xlabel="Andel, der modtager ydelsen (pct.), landsplan", height=5.4, labels=1,
             hue_order=[book.GROUP_NAMES[g] for g in ("kognitiv", "sindslidelse", "befolkningen")])

# %%
book.figure_note(f"Andel af borgerne i målgruppen med kognitivt handicap og med sindslidelse og af alle voksne "
                 f"(18 år og derover), der modtog ydelsen i {aar}, landsplan. Landsgennemsnittet er alle voksne.",
                 syntetisk, "6 og 7")

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

# %%
if kommune is not None:
    eget = {(g, m): maal(str(kommune), g, m) for g in ("kognitiv", "sindslidelse")
            for m in ("beskaeftigelse_uger", "beskaeftigelsesindsats_timer")}
    book.about_municipality(
        kommune, kommunenavn,
        f"havde en borger med et kognitivt handicap i gennemsnit {book.tal(eget['kognitiv', 'beskaeftigelse_uger'])} "
        f"uger i beskæftigelse og {book.tal(eget['kognitiv', 'beskaeftigelsesindsats_timer'])} timer med "
        f"beskæftigelsesrettede indsatser i {aar}; en borger med en sindslidelse "
        f"{book.tal(eget['sindslidelse', 'beskaeftigelse_uger'])} uger og "
        f"{book.tal(eget['sindslidelse', 'beskaeftigelsesindsats_timer'])} timer. Kommunens udgifter pr. borger "
        "står i figuren over kommunernes udgifter.", list(eget.values()), min_celle)

# %% mystnb={"figure": {"caption": "Beskæftigelse, forsørgelse, sundhed og kriminalitet: målgruppens undergrupper mod alle voksne, landsplan.", "name": "fig-aktiviteter"}}
aktiviteter = ["beskaeftigelse_uger", "foertidspension_uger", "kontanthjaelp_uger", "beskaeftigelsesindsats_timer",
               "psyk_indlagt_dage", "psyk_kontakt", "som_indlagt_dage", "som_ambulante_kontakter", "psykofarmaka",
               "fysioterapi", "kriminalitet"]
valgt = profil[(profil["omraade"] == "landsplan") & profil["maal"].isin(aktiviteter)]
valgt = valgt.assign(gruppe=valgt["gruppe"].map(book.GROUP_NAMES),
                     maal=book.wrap(valgt["maal"].map(book.INDICATOR_NAMES) + " (" + valgt["enhed"].map(book.UNIT_NAMES)
                                    + ")"))


def tegn(data):
    figur = figures.small_multiples(data, "maal", sns.barplot, columns=3, height=2.5, aspect=1.05, x="gruppe",
                                    y="vaerdi", order=[book.GROUP_NAMES[g] for g in ("kognitiv", "sindslidelse",
                                                                                     "befolkningen")])
    for akse in figur.axes:
        akse.title.set_size(10)
        akse.tick_params(axis="x", labelrotation=25, labelsize=9)
    return figur


figures.show(tegn, syntetisk, data=valgt.dropna(subset=["vaerdi"]))

# %%
book.figure_note(f"Den gennemsnitlige borger i målgruppens forbrug af ydelser og aktiviteter i {aar}, landsplan, "
                 "mod alle voksne. Uger og timer er gennemsnit pr. person over hele gruppen, også dem uden; "
                 "procenter er andelen med mindst én kontakt eller ydelse. Ugerne i beskæftigelse og på "
                 "overførselsindkomst kan tilsammen overstige 52, da man fx kan arbejde og samtidig modtage "
                 "førtidspension.", syntetisk, "6–7 og 13–14")

# %%
book.suppression_note(profil, "vaerdi", min_celle)

# %% [markdown]
# ## Kommunernes udgifter fordelt på velfærdsområder
#
# I rapporten er botilbud langt den største post i kommunernes udgifter til den gennemsnitlige
# borger i målgruppen, selv om kun omkring 40 pct. af borgerne med kognitivt handicap og 25 pct.
# af borgerne med sindslidelse bor på et botilbud. Her er kommunernes udgift til botilbud
# {glue:md}`ak_kommune_botilbud_kognitiv` kr. om året pr. borger med kognitivt handicap og
# {glue:md}`ak_kommune_botilbud_sindslidelse` kr. pr. borger med sindslidelse. Hvor stor en del
# af kommunernes udgifter til de fem ydelser der går til borgerne på botilbud, viser kapitel 1.

# %%
for gruppe in ("kognitiv", "sindslidelse"):
    book.glue_tal(f"ak_kommune_botilbud_{gruppe}", book.value(udgifter, "kr_pr_person_kommune", omraade="landsplan",
                                                                gruppe=gruppe, hovedomraade="Botilbud"))

# %% mystnb={"figure": {"caption": "Kommunernes udgifter til den gennemsnitlige borger i målgruppen fordelt på velfærdsområder, efter undergruppe.", "name": "fig-udgifter-kommune"}}
vist = udgifter[udgifter["omraade"].isin(["landsplan", str(kommune)]) & udgifter["gruppe"].isin(
    ["kognitiv", "sindslidelse"])]
vist = vist.assign(omraade=vist["omraade"].map(omraader), gruppe=vist["gruppe"].map(book.GROUP_NAMES),
                   tkr=vist["kr_pr_person_kommune"] / 1000)


def tegn(data):
    paneler = data["omraade"].nunique()
    return figures.small_multiples(data, "omraade", sns.barplot, columns=paneler, height=3.6, sharey=True,
                                   aspect=2.0 / paneler, xlabel="1.000 kr. pr. borger pr. år", y="hovedomraade",
                                   x="tkr", hue="gruppe")


figures.show(tegn, syntetisk, data=vist.dropna(subset=["tkr"]))

# %%
book.figure_note(f"Kommunernes andel af de offentlige udgifter til den gennemsnitlige borgers forbrug af ydelser og "
                 f"aktiviteter i {aar} for borgere i målgruppen, beregnet med prisfilens enhedspriser og "
                 "betalerfordeling. Botilbudsområdet omfatter § 108, § 107 og § 105 (ABL)/§ 85 i serviceloven.",
                 syntetisk, "8", som=True)

# %% [markdown]
# På beskæftigelses- og sundhedsområdet har staten og regionerne væsentlige udgifter ud over
# kommunernes. Figuren herunder viser de samlede offentlige udgifter, alle betalere, for hele
# målgruppen mod alle voksne.

# %% mystnb={"figure": {"caption": "Offentlige udgifter i alt (alle betalere) pr. person pr. år fordelt på hovedområder: målgruppen mod alle voksne, landsplan.", "name": "fig-udgifter"}}
valgt = udgifter[(udgifter["omraade"] == "landsplan") & udgifter["gruppe"].isin(["i_alt", "befolkningen"])]
valgt = valgt.assign(gruppe=valgt["gruppe"].map(book.GROUP_NAMES), tkr=valgt["kr_pr_person"] / 1000)
figures.show(figures.bars, syntetisk, data=valgt.dropna(subset=["tkr"]), y="hovedomraade", x="tkr", hue="gruppe",
             xlabel="1.000 kr. pr. person pr. år, landsplan", height=4.4, labels=1)

# %%
book.figure_note(f"Kommunernes, regionernes og statens udgifter i {aar} pr. person i målgruppen og pr. voksen, "
                 "beregnet med prisfilens enhedspriser. Indkomstoverførsler er fx førtidspension og kontanthjælp.",
                 syntetisk, som=True)

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
    figur = figures.small_multiples(data, "maal", sns.barplot, columns=2, aspect=1.3, x="gruppe", y="vaerdi",
                                    hue="omraade")
    for akse in figur.axes:
        akse.title.set_size(10)
    return figur


figures.show(tegn, syntetisk, data=valgt.dropna(subset=["vaerdi"]))

# %%
book.figure_note(f"Den gennemsnitlige borger i målgruppen i {aar} efter undergruppe, i "
                 f"{book.comparison_group(sammenligning)[1]} og på landsplan. Et gennemsnit er udeladt, hvor det "
                 f"bygger på færre end {min_celle} personer.", syntetisk, "13 og 14")
