"""The settling study: its table and figure from a tiny stored sweep, and its command."""

import matplotlib

matplotlib.use("Agg")

from experiments import load_config, load_results, run_experiment  # noqa: E402
from experiments.studies.settling import angle_table, iterations_figure, iterations_table, main, markdown  # noqa: E402

TINY = """
[experiment]
name = "tiny_settling"
seeds = [0]
epochs = 1
batch_size = 16
[data]
name = "blobs"
n_samples = 80
[model]
hidden = [4, 4]
[diagnostics]
every = 1
[[rules]]
name = "backprop"
[[rules]]
name = "readout_only"
[[rules]]
name = "predictive_coding"
[[rules]]
name = "target_propagation"
[sweep]
"rules.predictive_coding.iterations" = [1, 3]
"rules.target_propagation.feedback_iterations" = [0, 2]
"""


def test_iterations_table_figure_and_command(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(TINY)
    run_experiment(load_config(path), tmp_path, quiet=True)
    res = load_results(tmp_path / "tiny_settling")
    table = iterations_table(res)
    assert table[["label", "iterations", "runs"]].values.tolist() == [
        ["predictive_coding", 1, 1], ["predictive_coding", 3, 1],
        ["target_propagation", 0, 1], ["target_propagation", 2, 1]]
    assert table["inner steps"].tolist() == [2, 6, 0, 2 * 2 * 2]
    recorded = sorted((m["spec"]["hyperparameters"]["iterations"], m["network"]["critical_path"]["length"])
                      for m in res.runs.values() if m["spec"]["rule"] == "predictive_coding")
    assert recorded == [(1, 3 + 2), (3, 3 + 6)]    # each run's path at its own iterations
    pc = table[table["label"] == "predictive_coding"]["training FLOPs"].tolist()
    assert pc[0] < pc[1]                            # every inference step is counted
    fig = iterations_figure(res)
    assert len(fig.axes[0].containers) == 2         # one error-bar line per settling label
    assert [line.get_label() for line in fig.axes[0].lines].count("backprop") == 1   # the reference line
    angles = angle_table(res)
    assert set(angles["label"]) == {"predictive_coding", "target_propagation"}
    assert list(angles.columns) == ["label", "epoch", "block 0", "block 1"] and (angles["epoch"] == 1).all()
    assert markdown(angles).splitlines()[0] == "| label | epoch | block 0 | block 1 |"
    out = tmp_path / "study.png"
    main([str(tmp_path / "tiny_settling"), str(out)])
    assert out.stat().st_size > 0
