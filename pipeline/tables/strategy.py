"""The one interface of the grid strategies: each finds the grids of a page that the strategies before it
(``STRATEGIES``, the package's __init__.py) left, from the page and what ``PageContext`` holds."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ..config import TableSettings
from ..records import Page, Segment
from .grid import Grid


@dataclass(frozen=True)
class PageContext:
    settings: TableSettings
    camelot: list[Grid] | None  # camelot's grids of the page, found beforehand; None where camelot did not run
    rules: list[Segment]  # the page's rules as a reader sees them (open_rules.table_rules)
    page_follows: bool  # another page comes after it (a table may go on)


class GridStrategy(ABC):
    name: str

    @abstractmethod
    def grids(self, page: Page, found: list[Grid], context: PageContext) -> list[Grid]:
        """The grids this strategy finds on ``page`` beside ``found``, those of the strategies before it."""
