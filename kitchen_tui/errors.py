"""Errors a user can fix: each carries one line that names the problem and the fix."""


class UsageError(Exception):
    """Bad input from the user (an option, a file, a name): shown as one line, exit code 2."""
