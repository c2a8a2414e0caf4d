"""User-facing errors: one paragraph that says what is wrong and where, never a traceback."""

from __future__ import annotations


class TuitrainError(Exception):
    """Base of every error the CLI and the app show to the user as plain text.

    Its text often quotes a preset, a run directory or Keras, so ``str()`` of it is passed
    through ``tuitrain.common.safetext.clean``: wherever it is shown, no escape sequence reaches a terminal.
    """

    def __str__(self) -> str:
        from tuitrain.common.safetext import clean

        return clean(super().__str__())


class LocatedError(TuitrainError):
    """An error that knows the file, the key path (``layers[2].units``) and maybe the line."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.path = path
        self.line = line
        self.column = column
        super().__init__(str(self))

    def located(self, *, file: str | None = None, path: str | None = None, line: int | None = None) -> "LocatedError":
        """Fill in location parts that a lower layer could not know."""
        if file is not None and self.file is None:
            self.file = str(file)
        if path is not None and self.path is None:
            self.path = path
        if line is not None and self.line is None:
            self.line = line
        self.args = (str(self),)
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
        from tuitrain.common.safetext import clean

        parts = [p for p in (where, self.path) if p]
        prefix = ": ".join(parts)
        return clean(f"{prefix}: {self.message}" if prefix else self.message)


class SpecError(LocatedError):
    """A preset that cannot be parsed, validated or turned into a model."""


class DataError(LocatedError):
    """Data that cannot be loaded or preprocessed (missing file, missing array, offline download)."""
