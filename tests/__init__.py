"""The tests: a package, so every test imports the one tests.conftest and mypy checks one tree."""
