"""Errors users can see, with stable codes, and the CLI exit codes they map to."""

from __future__ import annotations

EXIT_OK = 0
EXIT_GATE = 1  # a quote is altered, misattributed or unverified
EXIT_USAGE = 2  # bad option, missing file
EXIT_INPUT = 3  # input that cannot be read


class AttributionError(Exception):
    code = "E000"
    exit_code = 1


class InputError(AttributionError):
    """A file that cannot be read as an article or a wire item.

    The message is one line and names the file.
    """

    exit_code = EXIT_INPUT

    def __init__(self, path: str, problem: str, code: str = "E100"):
        self.path = path
        self.problem = problem
        self.code = code
        super().__init__(f"{path}: {problem} [{code}]")


# Stable codes for InputError
E_NOT_FOUND = "E101"
E_EMPTY = "E102"
E_BINARY = "E103"
E_UNDECODABLE = "E104"
E_BAD_JSON = "E105"
E_NO_TEXT = "E106"
E_TOO_LARGE = "E107"
E_FORMAT = "E108"
