"""Code lists of the data contract (DATA_CONTRACT.md)."""

YEARS = tuple(range(2017, 2023))
SERVICES = ("sel82", "sel85", "abl105_sel85", "sel107", "sel108", "sel103_104", "sel95_96", "sel97")
TARGET_SERVICES = ("sel108", "abl105_sel85", "sel107", "sel85", "sel82")
REASONS = ("sindslidelse", "kognitiv", "fysisk", "socialt", "uoplyst")
TARGET_REASONS = ("kognitiv", "sindslidelse")
DIAGNOSES = ("udviklingshaemning", "autisme", "hjerneskade", "adhd", "svaer_psykisk", "moderat_psykisk")
STATUSES = ("beskaeftiget", "uddannelse", "barsel", "ledig", "kontanthjaelp", "foertidspension", "andet")
VOLUME_COLUMNS = (
    "beskaeftigelse_uger", "foertidspension_uger", "kontanthjaelp_uger", "beskaeftigelsesindsats_timer",
    "uddannelse_uger", "psyk_indlagt_dage", "psyk_ambulante_kontakter", "som_indlagt_dage",
    "som_ambulante_kontakter",
)
FLAG_COLUMNS = ("fysioterapi", "psykofarmaka", "kriminalitet")
