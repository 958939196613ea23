"""Batch normalisation (Ioffe & Szegedy 2015) and layer normalisation (Ba, Kiros & Hinton 2016).

Both standardise x over some axes, x_hat = (x - mu) / sqrt(var + eps), then scale and shift
per channel (the last axis): out = gamma x_hat + beta. Their backward is local to the layer:

    dL/dx = (1 / sqrt(var + eps)) (g - mean(g) - x_hat mean(g x_hat)),   g = gamma dL/dout,

means over the normalised axes; dgamma = sum(dL/dout x_hat), dbeta = sum(dL/dout) over all but
the channel axis.

- ``BatchNorm`` normalises each channel over the batch (and positions). In training it uses the
  batch's statistics and moves its running ones, mu_run <- (1 - m) mu_run + m mu and
  var_run <- (1 - m) var_run + m var (unbiased); in evaluation it uses the running ones, a fixed
  affine map whose backward is g / sqrt(var_run + eps).
- ``LayerNorm`` normalises each sample over all its units (every axis but the batch), the same in
  training and evaluation; with ``per_token`` it normalises each token (the last axis) alone, as
  a transformer does.
"""

from __future__ import annotations

import numpy as np

from .base import Layer, Shape


class _Norm(Layer):
    def __init__(self, shape: Shape, dtype=np.float32, eps: float = 1e-5) -> None:
        super().__init__()
        self.input_shape = self.output_shape = tuple(shape)
        channels = self.input_shape[-1]
        self.eps = float(eps)
        self.params = {"gamma": np.ones(channels, dtype=dtype), "beta": np.zeros(channels, dtype=dtype)}

    def _affine(self, x_hat: np.ndarray) -> np.ndarray:
        return x_hat * self.params["gamma"] + self.params["beta"]

    def _param_axes(self, delta: np.ndarray) -> tuple[int, ...]:
        return tuple(range(delta.ndim - 1))

    def backward_params(self, cache, delta):
        x_hat = cache[0]
        axes = self._param_axes(delta)
        return {"gamma": (delta * x_hat).sum(axis=axes), "beta": delta.sum(axis=axes)}

    def flops(self, batch: int) -> int:
        return int(8 * batch * self.n_out)

    def backward_flops(self, batch: int, inputs: bool = True, params: bool = True) -> int:
        return int(inputs * 8 * batch * self.n_out + params * 3 * batch * self.n_out)

    def jvp(self, cache, dx, dparams=None):
        """d out = gamma d x_hat + x_hat dgamma + dbeta, with d x_hat from ``standardised_tangent``."""
        dp = dparams or {}
        x_hat = cache[0]
        dout = np.zeros_like(x_hat) if dx is None else self.standardised_tangent(cache, dx) * self.params["gamma"]
        if "gamma" in dp:
            dout += x_hat * dp["gamma"]
        if "beta" in dp:
            dout += dp["beta"]
        return dout


def _normalised_backward(g: np.ndarray, x_hat: np.ndarray, inv_std: np.ndarray, axes) -> np.ndarray:
    return inv_std * (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))


class BatchNorm(_Norm):
    """Per-channel normalisation over the batch; running statistics for evaluation."""

    kind = "batchnorm"

    def __init__(self, shape: Shape, dtype=np.float32, eps: float = 1e-5, momentum: float = 0.1) -> None:
        super().__init__(shape, dtype, eps)
        if not 0.0 < momentum <= 1.0:
            raise ValueError(f"batchnorm: momentum {momentum!r} not allowed; must be in (0, 1]")
        self.momentum = float(momentum)
        channels = self.input_shape[-1]
        self.running_mean = np.zeros(channels, dtype=dtype)
        self.running_var = np.ones(channels, dtype=dtype)

    @property
    def state(self) -> dict[str, np.ndarray]:
        return {"running_mean": self.running_mean, "running_var": self.running_var}

    def forward(self, x, train=False, rng=None):
        axes = tuple(range(x.ndim - 1))
        if train:
            mean, var = x.mean(axis=axes), x.var(axis=axes)
            n = x.size // x.shape[-1]
            m = self.momentum
            self.running_mean *= 1.0 - m
            self.running_mean += m * mean
            self.running_var *= 1.0 - m
            self.running_var += m * var * (n / max(n - 1, 1))
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.eps))
        x_hat = (x - mean) * inv_std
        return self._affine(x_hat), (x_hat, inv_std, train)

    spec_keys = {"momentum": 0.1, "eps": 1e-5}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, momentum, eps):
        return cls(input_shape, dtype, eps, momentum)

    def backward_input(self, cache, delta, weight=None):
        x_hat, inv_std, train = cache
        g = delta * self.params["gamma"]
        if not train:
            return g * inv_std
        return _normalised_backward(g, x_hat, inv_std, tuple(range(delta.ndim - 1)))

    def standardised_tangent(self, cache, dx):
        """d x_hat for the tangent dx: the standardisation's Jacobian is symmetric, so forward
        mode is the same map as the backward (batch statistics), or dx / std (running ones)."""
        x_hat, inv_std, train = cache
        return _normalised_backward(dx, x_hat, inv_std, tuple(range(dx.ndim - 1))) if train else dx * inv_std


class LayerNorm(_Norm):
    """Per-sample (or per-token) normalisation, with a per-channel scale and shift."""

    kind = "layernorm"

    def __init__(self, shape: Shape, dtype=np.float32, eps: float = 1e-5, per_token: bool = False) -> None:
        super().__init__(shape, dtype, eps)
        self.per_token = bool(per_token)

    def _axes(self, ndim: int) -> tuple[int, ...]:
        # per token: the last axis only, so any leading axes (B, or S and B) pass through
        return (ndim - 1,) if self.per_token else tuple(range(1, ndim))

    def forward(self, x, train=False, rng=None):
        axes = self._axes(x.ndim)
        mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + x.dtype.type(self.eps))
        x_hat = (x - mean) * inv_std
        return self._affine(x_hat), (x_hat, inv_std)

    spec_keys = {"eps": 1e-5, "per_token": False}

    @classmethod
    def from_spec(cls, input_shape, rng, *, dtype, init, init_gain, eps, per_token):
        return cls(input_shape, dtype, eps, bool(per_token))

    def backward_input(self, cache, delta, weight=None):
        x_hat, inv_std = cache
        return _normalised_backward(delta * self.params["gamma"], x_hat, inv_std, self._axes(delta.ndim))

    def standardised_tangent(self, cache, dx):
        """d x_hat for the tangent dx (the same symmetric map as the backward, per sample)."""
        x_hat, inv_std = cache
        return _normalised_backward(dx, x_hat, inv_std, self._axes(dx.ndim))
