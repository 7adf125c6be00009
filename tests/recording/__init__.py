"""Tests of talk mode's recording and replay."""
