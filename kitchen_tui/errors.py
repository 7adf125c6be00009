"""Errors a user can fix: each carries one line that names the problem and the fix."""


class UsageError(Exception):
    """Bad input from the user (an option, a file, a name): shown as one line, exit code 2."""


class WriteFailed(Exception):
    """An output could not be written (a full disk): one line, exit code 1, the run stopped and
    what was written before kept."""
