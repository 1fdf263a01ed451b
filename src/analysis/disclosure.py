"""Disclosure control (METHODS.md §4), applied once to every table before it is shown or written."""
import pandas as pd


def suppress_small_counts(table: pd.DataFrame, count_columns: tuple[str, ...], min_cell: int) -> pd.DataFrame:
    """Primary suppression: counts below `min_cell` become missing (shown as '..', empty in CSV)."""
    result = table.copy()
    for column in count_columns:
        values = result[column].astype("Int64")
        result[column] = values.mask(values < min_cell)
    return result
