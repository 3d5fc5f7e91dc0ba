"""Measured evaluation sets of the sentiment model (data files, no code)."""
