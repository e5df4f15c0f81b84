"""pandera models for every CSV vetreport writes, and lazy validation into rows.

``validate(frames)`` never raises for bad data: each failed check becomes a
row of validation.csv (schema, column, check, row, value).
"""

from .validate import VALIDATION_COLUMNS, validate

__all__ = ["VALIDATION_COLUMNS", "validate"]
