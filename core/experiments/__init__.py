"""Prompt experiments: variant keys, item outcomes, acceptance statistics and promotion."""
