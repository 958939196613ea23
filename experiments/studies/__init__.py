"""Analyses behind the studies of README "Studies": each reads stored results and none trains
(perturbation_variance measures gradient estimators on one batch directly)."""
