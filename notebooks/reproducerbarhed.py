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
# # Reproducerbarhed
#
# Bilaget gengiver byggemanifestet (`manifest.json`), som følger med publikationen: hvilken
# version af programmet og hvilke parametre der er brugt, et fingeraftryk (SHA-256) af
# hver inddatafil — registerudtrækket, enhedspriserne og indsatstrappen — og af hver
# tabel, samt versionerne af de pakker, beregningen afhænger af.
#
# Med de samme inddata og parametre giver en ny kørsel de samme tabeller og de samme
# notebook-resultater. Kommandoen `roret verify` efterprøver netop det: den kører
# notebooks igen med manifestets parametre og data og melder hver forskel. De kørte
# notebooks kan hentes fra hver side (download-knappen øverst) og ligger i mappen
# `notebooks/` ved siden af publikationen.

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
from pathlib import Path

from analysis import book
from analysis.manifest import describe
from analysis.verify import read_manifest

book.start(syntetisk)
manifest = describe(read_manifest(Path(tabeller).parent))

# %% [markdown]
# ## Kørslen

# %%
felter = {"version": "Programversion", "git_commit": "Git-commit", "git_dirty": "Ændringer uden commit",
          "build_time": "Byggetidspunkt (UTC)", "data": "Datamappe", "syntetisk": "Syntetiske data"}
bygning = manifest["bygning"].assign(felt=manifest["bygning"]["felt"].map(felter))
book.show_table(bygning, {"felt": "Felt", "vaerdi": "Værdi"}, widths=(30, 70))

# %% [markdown]
# ## Parametre

# %%
book.show_table(manifest["parametre"], {"parameter": "Parameter", "vaerdi": "Værdi"}, widths=(30, 70))

# %% [markdown]
# ## Inddata

# %%
book.show_table(manifest["input"], {"fil": "Fil", "sha256": "SHA-256"}, widths=(30, 70))

# %% [markdown]
# ## Tabeller

# %%
book.show_table(manifest["tabeller"], {"fil": "Fil", "sha256": "SHA-256"}, widths=(30, 70))

# %% [markdown]
# ## Pakker

# %%
book.show_table(manifest["pakker"], {"pakke": "Pakke", "version": "Version"})
