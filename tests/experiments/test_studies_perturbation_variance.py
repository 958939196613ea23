"""The perturbation-variance study on tiny networks: measured variances follow their theory,
weights grow faster than units, and the command writes its figure."""

import numpy as np

from experiments.studies import perturbation_variance as study


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(200, 6)), rng.integers(0, 3, 200)


def test_variance_follows_theory_and_grows_with_what_is_perturbed():
    table = study.measure(*_data(), widths=[3, 12], estimates=40, batch=8)
    perturbed = table[table["perturbed"] != "none"]
    weights = perturbed[perturbed["perturbed"] == "weights"]
    assert (weights["theory"] == weights["D"] + 1).all()
    ratio = perturbed["relative_variance"] / perturbed["theory"]
    assert ratio.between(0.6, 1.6).all(), table
    by = perturbed.groupby(["perturbed", "width"])["relative_variance"].mean()
    assert by["weights", 12] / by["weights", 3] > 2 * by["units", 12] / by["units", 3]
    noise = table[table["perturbed"] == "none"]["relative_variance"]
    assert (noise > 0).all() and (noise < perturbed["relative_variance"].min()).all()


def test_plot_writes_the_figure(tmp_path):
    table = study.measure(*_data(), widths=[3, 5], estimates=5, batch=8)
    study.plot(table, str(tmp_path / "variance.png"))
    assert (tmp_path / "variance.png").stat().st_size > 10_000


def test_the_documented_command_runs(tmp_path, monkeypatch):
    """`python -m experiments.studies.perturbation_variance --out ...`, on stand-in data."""
    from experiments.datasets import registry
    from experiments.datasets.base import Dataset

    x, y = _data()
    monkeypatch.setattr(registry, "load_dataset", lambda name, seed: Dataset(name, x, y, x[:20], y[:20], 3))
    table = study.main(["--widths", "3", "--estimates", "3", "--out", str(tmp_path / "v.png")])
    assert (tmp_path / "v.png").exists() and set(table["width"]) == {3}
