"""The one error type of the digest: a problem with a place and a remedy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is and what to do about it."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def excerpt(text: str, limit: int = 60) -> str:
    """Text quoted for a message, cut to ``limit`` characters with an ellipsis."""
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def not_utf8(path: str | Path, exc: UnicodeDecodeError) -> Problem:
    """A file that is not UTF-8, at the line of its first byte that is not."""
    line = exc.object.count(b"\n", 0, exc.start) + 1
    return Problem(str(path), line, f"not UTF-8 ({exc.reason}); re-save it as UTF-8")


class DigestError(Exception):
    """Raised with every problem found, so one run reports them all."""

    def __init__(self, problems: Problem | list[Problem] | tuple[Problem, ...]):
        if isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, path: str | Path, line: int | None, message: str) -> "DigestError":
        """An error for a single problem."""
        return cls(Problem(str(path), line, message))


def yaml_error(path: str | Path, exc, first_line: int, what: str, remedy: str) -> DigestError:
    """Wrap a PyYAML MarkedYAMLError, keeping its line and where the broken part began.

    ``first_line`` is the file line of the YAML text's first line.
    """
    problem, context = exc.problem_mark, exc.context_mark
    mark = problem or context
    text = exc.problem or exc.context
    if problem and context and exc.problem and exc.context and context.line != problem.line:
        # PyYAML notices a missing ']' or quote lines later; name where it began too.
        text += f" {exc.context} that starts on line {context.line + first_line}"
    line = mark.line + first_line if mark else None
    return DigestError.at(path, line, f"{what}: {text}; {remedy}")


class Collector:
    """Gathers problems across a run and raises them together at a checkpoint."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str | Path, line: int | None, message: str) -> None:
        self.problems.append(Problem(str(path), line, message))

    def extend(self, error: DigestError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise DigestError(sorted(set(self.problems), key=_order))


def _order(p: Problem) -> tuple:
    return (p.path, p.line or 0, p.message)
