"""Experiment files: parsing, validation, overrides and sweep expansion."""

from .load import ExperimentConfig, apply_override, load_config, parse_config, parse_override
from .rules import build_rule

__all__ = ["ExperimentConfig", "apply_override", "build_rule", "load_config", "parse_config", "parse_override"]
