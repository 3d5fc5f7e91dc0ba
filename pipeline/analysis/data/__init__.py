"""Employer-domain training data written by the Rykte team (package data)."""
