"""Tuned experiments: the same search budget for every rule, the choice made on a validation split
held out of the training split, the chosen values trained on the experiment's seeds and reported
on test (docs/tuning.md). The ``[tune]`` section is checked in experiments/config/tune.py."""
