"""Analyses behind the studies of README "Studies": each reads stored results, none trains."""
