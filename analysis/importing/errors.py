"""The one refusal of an import: every problem found, each with the line it is on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    line: int | None  # the file's line (the header is line 1); None: the file as a whole
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


class ImportRefused(Exception):
    """A Batch file or config that cannot be imported; nothing was written."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        listed = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source} refused, nothing imported:\n{listed}")
