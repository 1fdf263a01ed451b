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
# # Budgetøkonomiske potentialer
#
# Hvad betyder det for de offentlige budgetter, når en borger i målgruppen kommer i job
# eller uddannelse, eller flytter fra et botilbud? Kapitlet beregner det med samme logik som
# Socialøkonomisk Investeringsmodel (SØM): en gruppe, der lykkes, sammenlignes med en gruppe,
# der ikke gør, og forskellen i de offentlige udgifter de følgende fire år er potentialet pr.
# borger. Et positivt tal er en besparelse.
#
# :::{important}
# Priserne i beregningen er **illustrative**, ikke SØM's officielle priskatalog, som ikke
# findes i maskinlæsbar form her. Tallene viser metoden; en bruger med priskataloget kan
# indsætte det med parameteren `enhedspriser` — også i en publikation, der bygges af en
# resultatpakke uden adgang til mikrodata.
# :::

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
from analysis.som import FOLLOW_UP, four_year_totals

book.start(syntetisk)
potentiale = read_table(tabeller, "som_potentiale")
samlet = read_table(tabeller, "som_potentiale_samlet")
betaler = read_table(tabeller, "som_potentiale_betaler")
foelsomhed = read_table(tabeller, "som_foelsomhed")
scenarie = read_table(tabeller, "som_scenarie")
navne = {"beskaeftigelse": "Job eller uddannelse", "botilbud": "Fraflytning fra botilbud"}
metoder = {"raa": "Rå forskel", "justeret": "Regressionsjusteret"}
for s in navne:
    for m in metoder:
        book.glue_tal(f"som_{s}_{m}", book.value(samlet, "kr_pr_borger_4aar", scenarie=s, metode=m))
    book.glue_tal(f"som_{s}_n", book.value(samlet, "n_succes", scenarie=s, metode="raa"))
book.glue_text("som_referenceaar", f"{samlet['referenceaar_fra'].iloc[0]}–{samlet['referenceaar_til'].iloc[0]}")
book.glue_text("som_hvem", f"{kommunenavn} Kommune" if kommune is not None else "en kommune")
book.glue_text("som_omfang", "Potentialerne er regnet på alle borgere i målgruppen i hele landet." if kommune is None
               else f"Potentialerne er landstal, også i denne udgave for {kommunenavn} Kommune: de er regnet på "
                    "alle borgere i målgruppen i hele landet, prissat med denne udgaves priser.")

# %% [markdown]
# ## Potentialet over fire år
#
# {glue:md}`som_omfang` Når en borger kommer i job eller uddannelse, er den rå forskel i offentlige udgifter over
# de fire følgende år {glue:md}`som_beskaeftigelse_raa` kr. pr. borger
# ({glue:md}`som_beskaeftigelse_n` borgere lykkedes). Når en borger flytter fra et botilbud,
# er den {glue:md}`som_botilbud_raa` kr. ({glue:md}`som_botilbud_n` borgere). Justeret for køn,
# alder, undergruppe og referenceår er potentialerne {glue:md}`som_beskaeftigelse_justeret`
# og {glue:md}`som_botilbud_justeret` kr. Tabellen giver 95 pct.-konfidensintervaller.
# Et opfølgningsår, hvor kun den ene af de to grupper er til stede, giver ingen forskel og er
# udeladt; bygger et potentiale på færre end fire år, viser kolonnen «Opfølgningsår» hvor mange.
#
# En borger indgår med ét tilfældigt, men reproducerbart udtrukket referenceår blandt de år,
# hvor borgeren opfylder betingelserne ({glue:md}`som_referenceaar`). Succes måles året efter, og udgifterne
# følges de fire år derefter; år efter datagrundlagets sidste år mangler og tælles ikke som nul.

# %%
vist = samlet.assign(scenarie=samlet["scenarie"].map(navne), metode=samlet["metode"].map(metoder))
kolonner = {"scenarie": "Scenarie", "metode": "Metode", "kr_pr_borger_4aar": "Kr. pr. borger, 4 år",
            "ci_lav": "95 pct. KI, nedre", "ci_hoej": "95 pct. KI, øvre", "n_succes": "Succes",
            "n_ikke_succes": "Ikke succes"}
if (samlet["antal_opfoelgningsaar"] < len(FOLLOW_UP)).any():  # shown only when a potential rests on fewer years
    kolonner["antal_opfoelgningsaar"] = "Opfølgningsår"
book.show_table(vist, kolonner, caption="Budgetøkonomisk potentiale pr. borger over fire år, rå og "
                "regressionsjusteret, med 95 pct.-konfidensintervaller og gruppernes størrelse.")

# %% [markdown]
# ## Potentialet år for år og fordelt på områder
#
# Figurerne svarer til rapportens figur 15 og 16: potentialet pr. borger i hvert af de fire
# opfølgningsår, fordelt på hovedområder.

# %% mystnb={"figure": {"caption": "Budgetøkonomisk potentiale pr. borger år for år og fordelt på hovedområder (rå forskelle).", "name": "fig-som-aar"}}
vist = potentiale.assign(scenarie=potentiale["scenarie"].map(navne), tkr=potentiale["kr_pr_borger"] / 1000)


def tegn(data):
    figur = figures.small_multiples(data, "scenarie", sns.barplot, columns=2, xlabel="Opfølgningsår",
                                    ylabel="1.000 kr. pr. borger", height=3.0, aspect=1.1, x="opfoelgningsaar", y="tkr",
                                    hue="hovedomraade")
    for akse in figur.axes:
        akse.axhline(0, color="black", linewidth=0.8)
    return figur


figures.show(tegn, syntetisk, data=vist.dropna(subset=["tkr"]))

# %%
book.figure_note("Forskellen i offentlige udgifter mellem borgere uden og med succes (rå forskelle, alle betalere), "
                 "år for år efter succesåret, prissat med prisfilens enhedspriser. Et positivt tal er en "
                 "besparelse. Potentialerne er beregnet for hele landet.", syntetisk, "15 og 16", som=True)

# %%
book.suppression_note(potentiale, "kr_pr_borger", min_celle)

# %% [markdown]
# ## Hvem får gevinsten?
#
# Potentialet over fire år fordelt på kommune, region og stat efter prisfilens
# betalerfordeling.

# %%
fire_aar = four_year_totals(betaler, "betaler")
fire_aar = fire_aar.assign(scenarie=fire_aar["scenarie"].map(navne))
tabel = fire_aar.pivot(index="scenarie", columns="betaler", values="kr_pr_borger_4aar").reset_index()
book.show_table(tabel, {"scenarie": "Scenarie", "kommune": "Kommune", "region": "Region", "stat": "Stat"},
                caption="Rå potentiale pr. borger over fire år efter betaler (kr.).")

# %% [markdown]
# ## Følsomhed
#
# Hvor meget afhænger potentialet af priserne? Tabellen viser det rå potentiale over fire år,
# når priserne på ét hovedområde er 20 pct. højere eller lavere, og når udgifterne
# diskonteres med Finansministeriets kalkulationsrente på 3,5 pct.

# %%
tabel = foelsomhed.assign(scenarie=foelsomhed["scenarie"].map(navne)).pivot(
    index="variant", columns="scenarie", values="kr_pr_borger_4aar").reset_index()
book.show_table(tabel, {"variant": "Variant", **{v: v for v in navne.values()}},
                caption="Rå potentiale pr. borger over fire år med ændrede priser eller diskontering (kr.).")

# %% [markdown]
# ## Scenarieberegner
#
# Hvis {glue:md}`som_hvem` hvert år hjælper et ekstra antal borgere i job eller uddannelse
# eller ud af et botilbud (parameteren `ekstra_succeser`), akkumuleres effekten: i år 2 er
# der både årets og sidste års borgere. Tabellen viser den forventede budgeteffekt pr. år og
# betaler, beregnet med potentialerne pr. borger ovenfor.

# %%
vist = scenarie.assign(scenarie=scenarie["scenarie"].map(navne))
tabel = vist.pivot(index=["scenarie", "ekstra_succeser", "aar"], columns="betaler", values="kr").reset_index()
tabel["aar"] = "År " + tabel["aar"].astype(str)
book.show_table(tabel, {"scenarie": "Scenarie", "ekstra_succeser": "Ekstra pr. år", "aar": "År",
                        "kommune": "Kommune", "region": "Region", "stat": "Stat"},
                caption="Forventet budgeteffekt pr. år og betaler af de ekstra succeser (kr.).")
