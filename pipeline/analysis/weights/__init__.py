"""Trained sentiment adapter and head (package data; see MODEL_CARD.md)."""
