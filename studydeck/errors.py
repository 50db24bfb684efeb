"""The one exception type for problems the user can cause and fix."""

from __future__ import annotations

from pathlib import Path


class StudydeckError(Exception):
    """A problem the user can fix: shown as one line, ``file:line: message``.

    ``hint`` says what to do about it; the CLI prints it after the message.
    """

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        hint: str | None = None,
        exit_code: int = 1,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.hint = hint
        self.exit_code = exit_code

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path + (f":{self.line}" if self.line is not None else "") + ": "
        text = f"{where}error: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def no_such_path(p: Path) -> StudydeckError:
    """The one line for a path given on the command line that is not there (notes, agenda)."""
    return StudydeckError("no such file or folder", path=p, exit_code=2, hint="check the path")
