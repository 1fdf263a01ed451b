"""Code lists of the data contract (DATA_CONTRACT.md)."""
import re

YEARS = tuple(range(2017, 2023))
YEAR_SPAN = re.compile(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?")  # 2017-2022, 2017–2022 or 2022


def year_span(text: str) -> tuple[int, ...]:
    """The years of a span written as 2017-2022 (or one year); ValueError otherwise."""
    found = YEAR_SPAN.fullmatch(str(text))
    if not found:
        raise ValueError(f"expected years as 2017-2022, got {text!r}")
    first, last = int(found[1]), int(found[2] or found[1])
    if last < first:
        raise ValueError(f"the last year {last} is before the first {first}")
    return tuple(range(first, last + 1))
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
