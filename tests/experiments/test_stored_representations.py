"""Stored representations end to end: what a run keeps, that keeping it changes nothing learned,
and CKA to backprop from the stored runs (1 at epoch 0: every rule of a seed starts from the same
network)."""

import json

import numpy as np
import pandas as pd
import pytest

from experiments import load_config, load_results, run_experiment
from experiments.runs.representations import load_representations
from experiments.studies.representations import cka_to_reference, similarity_matrices, similarity_pairs

STORED = ["diagnostics.every=1", "diagnostics.representation_samples=40"]


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The tiny experiment (backprop and readout_only on blobs, 2 seeds, 3 epochs), keeping
    representations, and the same without."""
    from tiny import TINY

    folder = tmp_path_factory.mktemp("rep")
    (folder / "exp.toml").write_text(TINY)
    for name, overrides in (("with", STORED), ("without", ["diagnostics.every=1"])):
        run_experiment(load_config(folder / "exp.toml", overrides), folder / name, quiet=True)
    return load_results(folder / "with" / "tiny"), load_results(folder / "without" / "tiny")


def test_each_run_keeps_its_block_outputs_and_first_weights(stored):
    res, _ = stored
    for run_id, meta in res.runs.items():
        arrays = load_representations(res.root / "runs" / run_id)
        assert list(arrays["epochs"]) == [0, 1, 2, 3]
        assert arrays["block_0"].shape == (4, 40, 8) and arrays["block_1"].shape[:2] == (4, 40)
        assert arrays["first_layer_W"].shape == (2, 8)
        assert meta["representations"]["samples"] == 40 and meta["files"]["representations.npz"]["bytes"] > 0


def test_keeping_representations_changes_nothing_learned(stored):
    with_, without = stored
    keep = lambda m: m[m["metric"] != "wall_time"].drop(columns="run_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(keep(with_.metrics), keep(without.metrics))


def test_a_cut_representations_file_is_recomputed(stored, tmp_path):
    from experiments.verify import damage

    res, _ = stored
    run_dir = res.root / "runs" / res.summary["run_id"][0]
    meta = json.loads((run_dir / "run.json").read_text())
    assert damage(run_dir, meta) is None
    copy = tmp_path / "run"
    copy.mkdir()
    for f in run_dir.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    data = (copy / "representations.npz").read_bytes()
    (copy / "representations.npz").write_bytes(data[: len(data) // 2])
    assert "representations.npz" in damage(copy, meta)


def test_cka_to_backprop_is_one_at_the_start_and_falls_as_readout_only_diverges(stored):
    res, _ = stored
    cka = cka_to_reference(res)
    assert set(cka["label"]) == {"readout_only"} and set(cka["seed"]) == {0, 1}
    start = cka[cka["epoch"] == 0]["value"]
    np.testing.assert_allclose(start, 1.0, rtol=1e-6)
    hidden_end = cka[(cka["epoch"] == 3) & (cka["layer"] == 0)]["value"]
    assert (hidden_end < 1.0 - 1e-6).all()  # backprop's hidden layer moved; readout_only's did not


def test_similarity_matrix_is_symmetric_with_unit_diagonal(stored):
    res, _ = stored
    matrices = similarity_matrices(similarity_pairs(res))
    assert {layer for _, layer in matrices} == {0, 1}
    for m in matrices.values():
        assert list(m.index) == ["backprop", "readout_only"]
        np.testing.assert_allclose(m.to_numpy(), m.to_numpy().T)
        np.testing.assert_allclose(np.diag(m.to_numpy()), 1.0)


def test_the_report_draws_the_representation_figures(stored):
    import matplotlib.pyplot as plt

    from experiments.report.figure_specs import figure_inputs, figure_specs

    res, without = stored
    mine = ("cka_to_backprop", "similarity_matrix", "unit_health", "receptive_fields")
    for results, drawn in ((res, True), (without, False)):
        specs = {s[0]: s[2] for s in figure_specs(results, figure_inputs(results)) if s[0] in mine}
        assert set(specs) == set(mine)
        for name, draw in specs.items():
            fig = draw()
            if name == "unit_health":  # logged with or without stored representations
                assert fig is not None
            else:
                assert (fig is not None) == drawn, name
            if fig is not None and name == "receptive_fields":
                rows = [ax for ax in fig.axes if ax.get_ylabel()]
                assert [ax.get_ylabel() for ax in rows] == ["backprop", "readout_only"]
            if fig is not None:
                plt.close(fig)


def test_receptive_fields_are_the_first_layer_columns_in_the_input_shape():
    from experiments.report.figures.representations import _filters, _mosaic

    W = np.arange(64 * 5, dtype=float).reshape(64, 5)  # dense: 8 x 8 inputs, 5 units
    f = _filters(W, (1, 8, 8), units=3)
    assert f.shape == (3, 8, 8)
    np.testing.assert_array_equal(f[2], W[:, 2].reshape(8, 8))
    m = _mosaic(f)
    assert m.shape == (8, 26) and np.isnan(m[:, 8]).all()
    np.testing.assert_array_equal(m[:, 18:], f[2])
    kernels = np.arange(6 * 1 * 5 * 5, dtype=float).reshape(6, 1, 5, 5)  # conv2d kernels
    np.testing.assert_array_equal(_filters(kernels, (1, 28, 28), units=4), kernels[:4, 0])
    signal = np.arange(40 * 3, dtype=float).reshape(40, 3)  # dense on a (1, 40) signal
    assert _filters(signal, (1, 40), units=2).shape == (2, 40)


def test_the_study_prints_its_tables(stored, capsys):
    from experiments.studies.representations import main

    res, _ = stored
    assert main([str(res.root)]) == 0
    out = capsys.readouterr().out
    for heading in ("## Final linear CKA to backprop per block", "## Final debiased linear CKA to backprop",
                    "## Final dead fraction per block", "## CKA of unrelated representations",
                    "## Does similarity to backprop predict accuracy?", "## CKA between rules at the end"):
        assert heading in out
    cka_table = out.split("## Final linear CKA to backprop per block")[1].split("##")[0]
    assert "| readout_only |" in cka_table and "| backprop |" not in cka_table  # backprop is the reference


def test_cka_of_chosen_runs_finds_their_reference_among_all_runs(stored):
    """The report passes each rule's runs at its best sweep point; backprop's run of the same
    point is found even when backprop's own best point is elsewhere."""
    res, _ = stored
    readout = res.summary.loc[res.summary["label"] == "readout_only", "run_id"].tolist()
    cka = cka_to_reference(res, run_ids=readout)
    assert set(cka["run_id"]) == set(readout)
