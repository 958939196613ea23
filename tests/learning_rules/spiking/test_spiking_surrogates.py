"""Surrogate derivatives: finite everywhere, peak 1, and exactly the derivative of their smooth step."""

import numpy as np
import pytest

from learning_rules.spiking.surrogates import SURROGATES, Surrogate, heaviside


@pytest.mark.parametrize("name", SURROGATES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_surrogates_finite_over_wide_range(name, dtype):
    x = np.concatenate([np.linspace(-1e3, 1e3, 20001), [-1e30, 1e30, -3e38, 3e38]]).astype(dtype)
    s = Surrogate(name, 25.0)
    with np.errstate(all="raise"):  # no overflow warnings either
        g, p = s.grad(x), s.primitive(x)
    assert g.dtype == dtype and p.dtype == dtype
    assert np.all(np.isfinite(g)) and np.all(np.isfinite(p))
    assert np.all(g >= 0) and np.all(g <= 1)


@pytest.mark.parametrize("name", SURROGATES)
def test_surrogate_peaks_at_threshold_and_is_derivative_of_primitive(name):
    s = Surrogate(name, 7.0)
    assert s.grad(np.zeros(1))[0] == pytest.approx(1.0)
    x = np.linspace(-2, 2, 41)
    h = 1e-8  # small: the fast sigmoid's second derivative jumps at 0
    fd = (s.primitive(x + h) - s.primitive(x - h)) / (2 * h)
    np.testing.assert_allclose(fd, s.grad(x), rtol=1e-5, atol=1e-7)
    # the smooth step rises monotonically from 0
    assert s.primitive(np.array([-1e6]))[0] == pytest.approx(0.0, abs=1e-6)
    assert np.all(np.diff(s.primitive(x)) > 0)


def test_heaviside_fires_at_threshold():
    np.testing.assert_array_equal(heaviside(np.array([-1e-7, 0.0, 2.0])), [0.0, 1.0, 1.0])


@pytest.mark.parametrize("kwargs, message", [({"name": "relu"}, "surrogate: 'relu' not allowed"),
                                             ({"slope": 0.0}, "surrogate slope: 0.0 not allowed")])
def test_bad_surrogate_is_one_line_error(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        Surrogate(**kwargs)
    assert "\n" not in str(err.value)
