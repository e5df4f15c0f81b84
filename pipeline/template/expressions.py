"""The small expression language of the template files, parsed once when a file is read.

An operand names a table cell as ``kind:indicator`` (计分卡:毕业生人数) or, in
claim_formulas.csv, a subject the text states (在校生). Operands are joined by
``+`` and by `` - `` (a minus with spaces: indicator names contain hyphens
nowhere, but a bare ``-`` is also a dash); a ratio is two such sums around
``/``. Every name is checked against the template when the file is read, so a
typo is an error at start, never a check that silently does not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SUM_SPLIT = re.compile(r"(\s*\+\s*|\s+-\s+|\s*−\s*)")


class ExpressionError(ValueError):
    """An expression that does not parse (an empty operand, two operators in a row)."""


@dataclass(frozen=True)
class Operand:
    name: str
    kind: str = ""  # the appendix table kind; "" for a subject the text states (claim_formulas.csv)

    @property
    def text(self) -> str:
        return f"{self.kind}:{self.name}" if self.kind else self.name


@dataclass(frozen=True)
class Term:
    sign: int  # +1 or -1
    operand: Operand


@dataclass(frozen=True)
class Expression:
    """A signed sum of operands: ``a + b - c``."""

    terms: tuple[Term, ...]

    @property
    def operands(self) -> tuple[Operand, ...]:
        return tuple(t.operand for t in self.terms)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.operand.name for t in self.terms)

    @property
    def text(self) -> str:
        out = []
        for n, t in enumerate(self.terms):
            out.append(("− " if t.sign < 0 else ("+ " if n else "")) + t.operand.text)
        return " ".join(out)


@dataclass(frozen=True)
class Ratio:
    numerator: Expression
    denominator: Expression

    @property
    def operands(self) -> tuple[Operand, ...]:
        return self.numerator.operands + self.denominator.operands


def parse_operand(text: str, default_kind: str = "") -> Operand:
    text = text.strip()
    if not text:
        raise ExpressionError("an empty operand")
    kind, sep, name = text.partition(":")
    if sep and kind and name:
        return Operand(name.strip(), kind.strip())
    return Operand(text, default_kind)


def parse_sum(text: str, default_kind: str = "") -> Expression:
    """``a + b − c`` (operands optionally ``kind:name``; unprefixed ones get ``default_kind``)."""
    pieces = SUM_SPLIT.split(text.strip())
    terms, sign = [], 1
    for n, piece in enumerate(pieces):
        if n % 2:  # an operator
            sign = -1 if piece.strip() in ("-", "−") else 1
            continue
        terms.append(Term(sign, parse_operand(piece, default_kind)))
    if not terms:
        raise ExpressionError(f"nothing to compute in {text!r}")
    return Expression(tuple(terms))


def parse_ratio(text: str, default_kind: str = "") -> Ratio:
    numerator, sep, denominator = text.partition("/")
    if not sep:
        raise ExpressionError(f"a ratio needs a '/': {text!r}")
    return Ratio(parse_sum(numerator, default_kind), parse_sum(denominator, default_kind))
