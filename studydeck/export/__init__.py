"""Exports of a deck to other tools."""
