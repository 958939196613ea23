"""What the classifier and the regressor share: the parameters, and fit / partial_fit through the
lab's one training loop (``experiments.runs.train.train``).

A fit spawns three generators from ``SeedSequence(random_state)``: one builds the network, one
initialises the rule (feedback tensors, populations), one shuffles the batches; nothing touches
numpy's or Python's global random state. ``partial_fit`` trains one epoch, continuing the same
network, rule state, optimizer state and shuffling stream. A fit that diverges keeps what it has
and warns (``ConvergenceWarning``) with the epoch and reason, as a lab run is stored ``diverged``.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted, validate_data
from tqdm import tqdm

from learning_rules.dtypes import resolve_dtype

from ..runs.executors import blas_threads, quiet_float_warnings
from ..runs.train import EVAL_CHUNK, train
from .build import OPTIMIZER_PARAMS, check_estimator_params, make_network, make_rule, seed_sequence


class RuleEstimator(BaseEstimator):
    """Base of ``RuleClassifier`` and ``RuleRegressor`` (see their docstrings for the parameters)."""

    #: the loss the rule minimises
    _loss: str

    def __init__(
        self,
        rule: str = "backprop",
        rule_params: dict | None = None,
        *,
        hidden: tuple[int, ...] = (128,),
        layers: list | None = None,
        input_shape: tuple[int, ...] | None = None,
        activation: str = "tanh",
        init: str = "xavier",
        init_gain: float = 1.0,
        dtype: str = "float32",
        network: str | None = None,
        network_params: dict | None = None,
        optimizer: str = "adam",
        lr: float = 1e-3,
        momentum: float = 0.9,
        nesterov: bool = False,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        clip_norm: float | None = None,
        epochs: int = 50,
        batch_size: int = 32,
        random_state=None,
        verbose: bool = False,
    ) -> None:
        self.rule = rule
        self.rule_params = rule_params
        self.hidden = hidden
        self.layers = layers
        self.input_shape = input_shape
        self.activation = activation
        self.init = init
        self.init_gain = init_gain
        self.dtype = dtype
        self.network = network
        self.network_params = network_params
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.epochs = epochs
        self.batch_size = batch_size
        self.random_state = random_state
        self.verbose = verbose

    # -- fitting -------------------------------------------------------------------------------
    def _compute_dtype(self) -> np.dtype:
        """The network's float type (checked), which X is converted to."""
        try:
            return resolve_dtype(self.dtype)
        except (ValueError, TypeError) as err:
            raise ValueError(f"dtype: {err}") from None

    def _start(self, n_features: int, n_outputs: int) -> None:
        """Check the parameters, then build the network and the rule and the shuffling stream."""
        params = self.get_params(deep=False)
        check_estimator_params(type(self).__name__, {k: params[k] for k in (
            "rule", "rule_params", "network", "network_params", "layers", "epochs", "batch_size", "verbose",
            "hidden", "input_shape")})
        rule = make_rule(self.rule, self.rule_params, {k: params[k] for k in OPTIMIZER_PARAMS}, self._loss)
        network_rng, rule_rng, shuffle_rng = (np.random.default_rng(s) for s in seed_sequence(self.random_state).spawn(3))
        defaults = {k: p.default for k, p in inspect.signature(RuleEstimator.__init__).parameters.items()}
        net = make_network(params, defaults, n_features, n_outputs, network_rng)
        rule.init(net, rule_rng)
        self.network_, self.rule_ = net, rule
        self.loss_curve_: list[float] = []
        self.n_iter_ = 0
        self.flops_ = 0.0
        self._shuffle_rng = shuffle_rng

    def _train_epochs(self, x: np.ndarray, y: np.ndarray, epochs: int) -> None:
        """``epochs`` passes of the training loop over (x, y), continuing from the last one, with
        one BLAS thread as the lab's runs have (small matrices only lose to threads' waiting;
        ``n_jobs`` of a grid search or cross-validation runs fits side by side instead)."""
        with tqdm(total=epochs, desc=self.rule, unit="epoch", disable=not self.verbose) as bar, \
                blas_threads(1), quiet_float_warnings():
            outcome = train(self.network_, self.rule_, x, y, epochs=epochs, batch_size=self.batch_size,
                            shuffle_rng=self._shuffle_rng, eval_sets={}, loss_name=self._loss,
                            diagnostics_every=0, first_epoch=self.n_iter_ + 1, flops_so_far=self.flops_,
                            on_epoch=lambda epoch: bar.update(1))
        self.loss_curve_ = self.loss_curve_ + [r["value"] for r in outcome.records if r["metric"] == "step_loss"]
        self.n_iter_ = max(self.n_iter_, outcome.epochs_completed)
        self.flops_ = outcome.flops
        if outcome.status != "complete":
            warnings.warn(f"{self.rule}: training diverged ({outcome.reason}); try a smaller lr",
                          ConvergenceWarning, stacklevel=3)

    def _outputs(self, X) -> np.ndarray:
        """The network's outputs on checked X: (N, n_outputs) float64, computed in chunks."""
        check_is_fitted(self)
        x = validate_data(self, X, reset=False, dtype=self._compute_dtype())
        out = [self.network_.predict(x[i : i + EVAL_CHUNK]) for i in range(0, x.shape[0], EVAL_CHUNK)]
        return np.concatenate(out).astype(np.float64, copy=False)


PARAMETERS_DOC = """
    Parameters
    ----------
    rule : str, default="backprop"
        A registered learning rule (``learning-rules rules`` lists them).
    rule_params : dict, default=None
        The rule's own hyperparameters, e.g. ``{"scale": 0.5}`` for feedback alignment.
    hidden : tuple of int, default=(128,)
        Widths of the dense hidden layers (ignored when ``layers`` is given).
    layers : list, default=None
        A layer stack, as ``[model] layers`` in an experiment file, e.g.
        ``[{"type": "conv1d", "channels": 8, "kernel": 3, "activation": "relu"}]``; the readout is
        appended.
    input_shape : tuple of int, default=None
        What one row of X is, channels first: (C, L) or (C, H, W) for convolutional layers;
        None reads rows as flat features (D,).
    activation, init, init_gain, dtype : default "tanh", "xavier", 1.0, "float32"
        The network's hidden activation, weight initialiser, its gain, and float type.
    network : str, default=None
        The network kind (``rate``, ``spiking``, ``forward_forward``); None builds the rule's first.
    network_params : dict, default=None
        Other options of that network kind, e.g. ``{"dropout": 0.1}`` or ``{"steps": 20}``.
    optimizer : {"adam", "momentum", "sgd"}, default="adam"
    lr, momentum, nesterov, beta1, beta2, eps, weight_decay, clip_norm
        The optimizer's hyperparameters (``learning_rules.optimizers.Optimizer``); rules without
        an optimizer (the genetic algorithm) ignore them.
    epochs : int, default=50
        Passes over the data in ``fit`` (``partial_fit`` makes one).
    batch_size : int, default=32
        Samples per learning step (the last incomplete batch of an epoch is skipped).
    random_state : int, numpy Generator or RandomState, default=None
        Seeds the network's initial weights, the rule's state and the batch order.
    verbose : bool, default=False
        Show a progress bar over the epochs.

    Attributes
    ----------
    network_ : the trained network (``learning_rules.networks``)
    rule_ : the learning rule with its state (feedback tensors, optimizer state, population)
    loss_curve_ : list of float, the mean training-step loss of each epoch
    n_iter_ : int, epochs trained
    flops_ : float, floating-point operations spent in training
    n_features_in_ : int, and ``feature_names_in_`` when X has column names
"""
