"""The one interface of the checks: each reads the Context and returns its findings, run in the order of
``CHECKS`` (the package's __init__.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod

from ..claims import Claim
from .context import Context
from .findings import Finding


class Check(ABC):
    name: str
    kinds: tuple[str, ...] = ()  # the kinds of finding it makes
    needs: tuple[str, ...] = ()  # the checks whose findings it reads (ctx.found[name]): they run before it

    @abstractmethod
    def run(self, ctx: Context) -> list[Finding]:
        """The findings, in the order findings.csv lists them."""


class ClaimCheck(Check):
    """A check of one claim at a time."""

    @abstractmethod
    def check(self, claim: Claim, ctx: Context) -> list[Finding]:
        """The findings about ``claim``."""

    def run(self, ctx: Context) -> list[Finding]:
        return [f for claim in ctx.claims.claims for f in self.check(claim, ctx)]


class ClaimByClaim(Check):
    """Claim checks run together claim by claim: the first claim's findings of each check, then the next
    claim's (findings.csv keeps a claim's findings together)."""

    def __init__(self, *checks: ClaimCheck) -> None:
        self.checks = checks
        self.name = "+".join(c.name for c in checks)
        self.kinds = tuple(k for c in checks for k in c.kinds)

    def run(self, ctx: Context) -> list[Finding]:
        return [f for claim in ctx.claims.claims for check in self.checks for f in check.check(claim, ctx)]


def in_dependency_order(checks: tuple[Check, ...]) -> tuple[Check, ...]:
    """``checks`` as they are, when each has a name of its own and comes after the checks it needs."""
    before: set[str] = set()
    for check in checks:
        if check.name in before:
            raise ValueError(f"two checks named {check.name}")
        missing = [name for name in check.needs if name not in before]
        if missing:
            raise ValueError(f"check {check.name} needs {', '.join(missing)} to run before it")
        before.add(check.name)
    return checks
