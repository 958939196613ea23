"""experiments: configs, datasets, runs and sweeps, stored results, statistics, figures, CLI."""

from .config import ExperimentConfig, load_config, parse_config
from .driver import run_experiment
from .errors import ConfigError, UserError
from .results import Results, ResultsWarning, load_results

__all__ = ["ConfigError", "ExperimentConfig", "Results", "ResultsWarning", "UserError", "load_config",
           "load_results", "parse_config", "run_experiment"]
