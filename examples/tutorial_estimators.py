"""The lab's learning rules as scikit-learn estimators, top to bottom (docs/estimators.md).

Compares backprop, feedback alignment (FA), direct feedback alignment (DFA) and scikit-learn's
MLPClassifier on the digits with 5-fold cross-validation on the training split, grid-searches
FA's learning rate, plots the learning curves, reads the test split once at the end, and prints
the rules' plausibility cards.

    python examples/tutorial_estimators.py                      # about 25 s of CPU (one BLAS thread)
    python examples/tutorial_estimators.py --epochs 2 --folds 2  # a quick smoke run
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # writes files; no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from experiments.datasets import load_dataset  # noqa: E402
from experiments.estimators import RuleClassifier  # noqa: E402
from learning_rules.rules import CONSTRAINTS, get_rule  # noqa: E402


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", default="results/tutorial_estimators", help="folder for the figure")
    args = parser.parse_args(argv)

    # 1. The lab's digits: a fixed stratified split, standardised with training statistics.
    data = load_dataset("digits", seed=0, dtype="float64")
    X, y = data.x_train, data.y_train  # (1437, 64), (1437,)

    # 2. One protocol for all: two tanh hidden layers, Adam 1e-3, batches of 32, no weight decay.
    hidden, epochs = (128, 128), args.epochs
    models = {
        rule: RuleClassifier(rule, hidden=hidden, activation="tanh", lr=1e-3, batch_size=32,
                             epochs=epochs, random_state=0)
        for rule in ("backprop", "feedback_alignment", "direct_feedback_alignment")
    }
    # the same network and optimizer in scikit-learn: no L2 (alpha=0), no early stopping, and
    # n_iter_no_change past max_iter so that it, too, trains every epoch
    models["MLPClassifier"] = MLPClassifier(hidden, activation="tanh", solver="adam", learning_rate_init=1e-3,
                                            batch_size=32, max_iter=epochs, alpha=0.0, early_stopping=False,
                                            n_iter_no_change=epochs + 1, random_state=0)
    warnings.simplefilter("ignore", ConvergenceWarning)  # MLPClassifier: "max_iter reached"

    # 3. Cross-validated accuracy on the training split.
    cv = {name: cross_val_score(model, X, y, cv=args.folds) for name, model in models.items()}
    print(pd.DataFrame({name: [s.mean(), s.std()] for name, s in cv.items()}, index=["cv mean", "cv std"])
          .T.round(4).to_string())

    # 4. Tune one hyperparameter with a grid search, as for any scikit-learn model.
    search = GridSearchCV(models["feedback_alignment"], {"lr": [3e-4, 1e-3, 3e-3]}, cv=3).fit(X, y)
    print(f"feedback_alignment: best lr {search.best_params_['lr']} (cv accuracy {search.best_score_:.4f})")

    # 5. Learning curves: the mean training loss of each epoch, on the whole training split.
    fitted = {name: model.fit(X, y) for name, model in models.items()}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, model in fitted.items():
        style = {"color": "black", "linestyle": "--"} if name == "MLPClassifier" else {}  # backprop lies beneath
        ax.plot(range(1, len(model.loss_curve_) + 1), model.loss_curve_, label=name, **style)
    ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log", title="digits")
    ax.legend()
    fig.tight_layout()
    figure = out / "learning_curves.png"
    fig.savefig(figure, dpi=120)
    plt.close(fig)
    print(f"learning curves: {figure}")

    # 6. The test split, read once, at the end.
    test = {name: model.score(data.x_test, data.y_test) for name, model in fitted.items()}
    print("test accuracy: " + ", ".join(f"{name} {acc:.4f}" for name, acc in test.items()))

    # 7. What each rule buys: its plausibility card (MLPClassifier is backprop).
    cards = {name: get_rule(name).card for name in models if name != "MLPClassifier"}
    print(pd.DataFrame({name: {k: "yes" if getattr(c, k) else "-" for k in CONSTRAINTS} for name, c in cards.items()})
          .to_string())
    return {name: float(s.mean()) for name, s in cv.items()}


if __name__ == "__main__":
    from threadpoolctl import threadpool_limits

    # one BLAS thread: these products are small, and a second thread only spins (measured on 2
    # cores: 126 s of CPU with OpenBLAS's default threads against 23 s with one, same wall time)
    with threadpool_limits(1):
        main()
