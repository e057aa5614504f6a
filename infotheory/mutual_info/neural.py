"""Neural variational lower bounds on mutual information (InfoNCE, NWJ, MINE, DV, SMILE) in JAX."""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np
from scipy.special import ndtri

from .._base import Estimate, InfoEstimator
from .._params import Checked, Interval, StrOptions
from .._progress import progress as _progress
from .._validation import check_param, check_random_state
from ._diagnostics import InfotheoryWarning

__all__ = ["NeuralMI", "require_jax"]

BOUNDS = ("infonce", "nwj", "mine", "dv", "smile")
_LOWER_BOUNDS = ("infonce", "nwj", "dv")


def require_jax(what: str) -> None:
    """Raise an ``ImportError`` naming the ``jax`` extra when JAX or optax is not installed.

    Checked with ``importlib.util.find_spec``, so nothing is imported.
    """
    import importlib.util

    missing = [m for m in ("jax", "optax") if importlib.util.find_spec(m) is None]
    if missing:
        raise ImportError(
            f"{what} trains its networks with JAX and optax ({' and '.join(missing)} not "
            "installed): pip install infotheory[jax]"
        )


def _kernels():
    require_jax("NeuralMI")
    from .._kernels import neural_jax

    return neural_jax


def _padded_rows(A: np.ndarray, dtype) -> np.ndarray:
    """``A`` as ``dtype`` with zero rows appended up to the next power of two (at least 64), so
    that data sets of similar size share one compiled program."""
    n = A.shape[0]
    out = np.zeros((max(64, 1 << (n - 1).bit_length()), A.shape[1]), dtype)
    out[:n] = A
    return out


def _check_hidden(value) -> None:
    widths = np.asarray(value, dtype=object) if isinstance(value, (tuple, list, np.ndarray)) \
        else None
    if widths is None or widths.ndim != 1:
        raise TypeError(
            f"hidden must be a tuple of positive ints (layer widths), got {value!r} "
            f"({type(value).__name__})"
        )
    for width in widths:
        check_param(width, "hidden widths", numbers.Integral, low=1)


class NeuralMI(InfoEstimator):
    r"""Mutual information :math:`I(X;Y)` from a neural critic trained on a variational bound.

    A critic :math:`f(x, y)` (a small MLP) is trained to maximise a variational bound on the MI
    over random batches of one split of the data; the value reported is the bound of the trained
    critic on the **held-out** split (``validation_fraction`` of the samples), where it cannot
    have been fitted to the noise of the training batches. Training stops early when the held-out
    value has not improved for ``patience`` evaluations; the critic of the best evaluation is
    kept. In a batch of :math:`B` pairs :math:`(x_i, y_i)` drawn from the joint distribution
    :math:`p`, the :math:`B(B-1)` pairs :math:`(x_i, y_j)_{i \ne j}` stand for the product of
    the marginals :math:`q = p_x p_y` (Poole et al. [1]_):

    .. math::

        I_{\mathrm{DV}} &= \mathbb E_p[f] - \log \mathbb E_q\big[e^{f}\big], \qquad
        I_{\mathrm{NWJ}} = \mathbb E_p[f] - e^{-1}\,\mathbb E_q\big[e^{f}\big], \\
        I_{\mathrm{InfoNCE}} &= \mathbb E\Big[\frac1B \sum_{i} \log
            \frac{e^{f(x_i, y_i)}}{\frac1B \sum_{j} e^{f(x_i, y_j)}}\Big]
            \;\le\; \log B, \\
        I_{\mathrm{SMILE}} &= \mathbb E_p[f] - \log \mathbb E_q\big[\mathrm{clip}
            (e^{f}, e^{-\tau}, e^{\tau})\big], \quad \tau = 5.

    * ``"infonce"`` (van den Oord et al. [4]_) is a lower bound of low variance that can **never
      exceed** :math:`\log B` (``log(batch_size)``, the held-out blocks have the same size):
      above about :math:`\log B - 1` nats it saturates and underestimates. Held-out blocks have
      ``batch_size`` pairs, so raise ``batch_size`` to measure large MI.
    * ``"nwj"`` (Nguyen, Wainwright & Jordan [2]_) and ``"dv"`` (Donsker–Varadhan) are lower
      bounds in expectation over the samples (DV's log of a sample mean biases it slightly
      upwards); their variance grows like :math:`e^{I}`.
    * ``"mine"`` (Belghazi et al. [3]_) is DV trained with a moving average (rate 0.01) of
      :math:`\mathbb E_q[e^f]` in the gradient's denominator; its value is the DV bound on the
      held-out data, a **biased** estimator (the correction reduces the gradient's bias, not the
      value's).
    * ``"smile"`` (Song & Ermon [5]_) clips :math:`e^f` to :math:`[e^{-5}, e^{5}]` in the DV
      partition term and trains on the Jensen–Shannon bound's gradient: low variance, **biased**
      and **not** a bound (it may exceed the MI).

    Critics: ``"separable"`` :math:`f(x, y) = g(x)^\top h(y)` with two MLPs ``g``, ``h`` of
    hidden widths ``hidden`` and output width ``embed_dim`` (all :math:`B^2` scores of a batch
    from :math:`2B` network passes), or ``"concat"`` :math:`f(x, y) = m([x, y])` (one MLP on the
    concatenation, :math:`B^2` passes). Each input feature is first mapped by a monotone map
    learned on the training split (``preprocessing``): normal scores of its empirical CDF
    (default; MI is invariant to such maps, and heavy tails or marginal nonlinearities no longer
    reach the network) or standardisation. tanh activations, LeCun-normal initialisation, Adam
    with decoupled weight decay (AdamW), which with early stopping keeps the critic from
    memorising the training pairs (the held-out bound of an unregularised critic falls below
    zero at d = 20).

    Batches are drawn epoch by epoch (each pass over the training split is a new random
    permutation cut into batches of distinct pairs). The whole training loop is one program
    compiled by JAX (``lax.scan`` over ``eval_every`` steps followed by the held-out
    evaluation, data on the device; the initial critic and the batches' row indices are drawn
    in NumPy): the first fit of a new shape compiles it (about 1 s on a CPU), later fits of the
    same shape reuse it, in this process and in later ones: the compiled executables are kept
    under ``~/.cache/infotheory/jax/executables`` (``$INFOTHEORY_CACHE/jax``;
    ``INFOTHEORY_JAX_CACHE`` moves it, set to ``""`` it disables it; delete the folder to clear
    it) and loaded without tracing the program again. A JAX cache folder you configured
    yourself (``jax_compilation_cache_dir``) is used instead (JAX's own cache, which traces the
    program to find it), and JAX's process-wide settings are left as you set them. It runs on
    the default JAX device, a GPU when JAX sees one (``device_`` says which).

    Parameters
    ----------
    bound : {"infonce", "nwj", "mine", "dv", "smile"}, default="infonce"
        The variational objective, trained and reported (see above).
    critic : {"separable", "concat"}, default="separable"
        Architecture of the critic.
    hidden : tuple of int, default=(64,)
        Hidden-layer widths of each MLP (empty: a linear map).
    embed_dim : int, default=32
        Output width of ``g`` and ``h`` (separable critic only).
    batch_size : int, default=256
        Pairs per training batch and per held-out block (capped at the split sizes); InfoNCE
        cannot exceed ``log(batch_size)``.
    max_steps : int, default=3000
        Most optimisation steps.
    learning_rate : float, default=1e-3
        Adam's learning rate.
    weight_decay : float, default=1.0
        Decoupled weight decay of AdamW (each step shrinks the weights by
        ``learning_rate * weight_decay``).
    validation_fraction : float, default=0.5
        Share of the samples held out (in (0, 1)); the reported bound is evaluated on them.
    eval_every : int, default=100
        Steps between two held-out evaluations (one compiled chunk of training).
    patience : int, default=5
        Evaluations without improvement of the held-out bound before training stops.
    preprocessing : {"quantile", "standardize"}, default="quantile"
        Monotone per-feature map fitted on the training split: normal scores
        :math:`\Phi^{-1}(\hat F(z))` of the empirical CDF (interpolated, flat beyond the
        training range) or :math:`(z - \mu)/\sigma`.
    dtype : {"float32", "float64"}, default="float32"
        Floating type of the network; ``"float64"`` needs ``jax_enable_x64``.
    backend : {"auto", "jax"}, default="auto"
        Only JAX implements the critics; ``"auto"`` is JAX on its default device.
    random_state : None, int, Generator or RandomState, default=None
        Seed of the train/held-out split, the initialisation and the batches: same seed, same
        result (on the same device and JAX version).
    base : float or None, default=None
        Logarithm base of the unit: ``None`` for nats, ``2`` for bits.
    progress : bool, default=False
        Show a progress bar over the evaluations.

    Attributes
    ----------
    mutual_info_ : float
        The bound of the best critic on the held-out split, in the unit of ``base``.
    standard_error_ : float
        Standard error of ``mutual_info_`` over the held-out samples (delta method: the standard
        deviation of each held-out row's contribution to the bound over the square root of
        their number). It covers the held-out sampling noise, not the training variability or
        the bias.
    history_ : dict of ndarray
        ``"step"``, ``"train"`` (mean training bound over the chunk) and ``"validation"`` (the
        held-out bound) at each evaluation.
    n_iter_ : int
        Optimisation steps run.
    best_step_ : int
        Step of the critic kept (the best held-out bound).
    batch_size_ : int
        Batch size used (``batch_size`` capped at the training split's size).
    backend_ : str
        ``"jax"``.
    device_ : str
        The JAX device that ran the training, e.g. ``"cpu:0"`` or ``"cuda:0"``.
    critic_params_ : pytree of arrays
        The trained critic.
    n_features_in_ : int
        Number of features of ``X`` seen in ``fit``.

    Notes
    -----
    ``score(X, y)`` returns the bound of the fitted critic on new data (every sample held out),
    mapped by the training split's ``preprocessing``. The reported value is the maximum of the
    held-out curve over the evaluations, which biases it upwards by a fraction of its standard
    error. A held-out value clearly below zero (the critic fits the training split but not the
    held-out one) triggers a warning: the MI is then only known to be at least 0.

    References
    ----------
    .. [1] B. Poole, S. Ozair, A. van den Oord, A. A. Alemi and G. Tucker, "On variational bounds
       of mutual information", *ICML* 2019.
    .. [2] X. Nguyen, M. J. Wainwright and M. I. Jordan, "Estimating divergence functionals and
       the likelihood ratio by convex risk minimization", *IEEE Trans. Inf. Theory* 56(11), 2010.
    .. [3] M. I. Belghazi, A. Baratin, S. Rajeswar, S. Ozair, Y. Bengio, A. Courville and
       R. D. Hjelm, "Mutual information neural estimation", *ICML* 2018.
    .. [4] A. van den Oord, Y. Li and O. Vinyals, "Representation learning with contrastive
       predictive coding", arXiv:1807.03748, 2018.
    .. [5] J. Song and S. Ermon, "Understanding the limitations of variational mutual
       information estimators", *ICLR* 2020.

    Examples
    --------
    >>> from infotheory.datasets import correlated_gaussians
    >>> from infotheory.mutual_info import NeuralMI
    >>> X, Y, true_mi = correlated_gaussians(2000, mi=0.5, dim=2, random_state=0)
    >>> est = NeuralMI(random_state=0).fit(X, Y)
    >>> abs(est.mutual_info_ - true_mi) < 0.1
    True
    """

    _result_attr = "mutual_info_"
    _requires_y = True
    _non_deterministic = True
    _min_samples = 4
    _parameter_constraints = {
        "bound": [StrOptions(BOUNDS)],
        "critic": [StrOptions({"separable", "concat"})],
        "hidden": [Checked("a tuple of positive ints (layer widths)", _check_hidden)],
        "embed_dim": [Interval(numbers.Integral, 1, None, closed="left")],
        "batch_size": [Interval(numbers.Integral, 2, None, closed="left")],
        "max_steps": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "weight_decay": [Interval(numbers.Real, 0, None, closed="left")],
        "validation_fraction": [Interval(numbers.Real, 0, 1, closed="neither")],
        "eval_every": [Interval(numbers.Integral, 1, None, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "preprocessing": [StrOptions({"quantile", "standardize"})],
        "dtype": [StrOptions({"float32", "float64"})],
        "backend": [StrOptions({"auto", "jax"})],
        "random_state": ["random_state"],
        "base": ["base"],
        "progress": ["boolean"],
    }

    def __init__(self, *, bound="infonce", critic="separable", hidden=(64,), embed_dim=32,
                 batch_size=256, max_steps=3000, learning_rate=1e-3, weight_decay=1.0,
                 validation_fraction=0.5,
                 eval_every=100, patience=5, preprocessing="quantile", dtype="float32",
                 backend="auto",
                 random_state=None, base=None, progress=False):
        self.bound = bound
        self.critic = critic
        self.hidden = hidden
        self.embed_dim = embed_dim
        self.batch_size = batch_size
        self.max_steps = max_steps
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.validation_fraction = validation_fraction
        self.eval_every = eval_every
        self.patience = patience
        self.preprocessing = preprocessing
        self.dtype = dtype
        self.backend = backend
        self.random_state = random_state
        self.base = base
        self.progress = progress

    @classmethod
    def _common_test_instances(cls):
        # scikit-learn's generic data are a few dozen independent samples: a small critic and
        # a fixed seed keep each check to one short, reproducible training run.
        return [cls(hidden=(8,), embed_dim=4, max_steps=100, eval_every=50, random_state=0)]

    # -- parameters -------------------------------------------------------------------------

    def _min_samples_required(self):
        return 4, "two training and two held-out samples"

    # -- fit / score ------------------------------------------------------------------------

    def _learn(self, X, y):
        """Split, then train the critic on one part (early-stopped on the other)."""
        rng = check_random_state(self.random_state)
        n = X.shape[0]
        n_val = min(n - 2, max(2, int(round(self.validation_fraction * n))))
        order = rng.permutation(n)
        held, train = order[:n_val], order[n_val:]
        state = self._train(X[train], y[train], X[held], y[held], rng)
        state["validation_indices_"] = held
        return state

    def _estimate_fitted(self, X, y):
        """``fit`` reports the bound on the held-out samples, never on the training ones: the
        evaluation of the kept critic on the held-out blocks made during training (the same
        blocks :meth:`_estimate` would build from ``X[validation_indices_]``)."""
        result = _block_estimate(*self._held_out_evaluation)
        self._warn_if_negative(result)
        return result

    def _estimate(self, X, y):
        nj = _kernels()
        xb, yb, n_blocks = self._blocks(nj, X, y)
        values, terms = nj.call(nj.evaluate, self.critic_params_, xb, yb, bound=self.bound,
                                critic=self.critic)
        return _block_estimate(values, terms, n_blocks)

    # -- internals --------------------------------------------------------------------------

    def _jax_dtype(self, nj):
        if self.dtype == "float64" and not nj.jax.config.read("jax_enable_x64"):
            raise ValueError(
                "dtype='float64' needs 64-bit JAX: set jax.config.update('jax_enable_x64', True) "
                "before fitting, or use dtype='float32'"
            )
        return nj.jnp.dtype(self.dtype)

    def _blocks(self, nj, X, y):
        return _blocks(nj, self._x_map(X), self._y_map(y), self.batch_size_, self._block_seed,
                       self._jax_dtype(nj))

    def _train(self, Xt, Yt, Xv, Yv, rng) -> dict:
        """Fitted state: standardisation, critic parameters, history (early-stopped)."""
        nj = _kernels()
        dtype = self._jax_dtype(nj)
        jax = nj.jax
        n_train = Xt.shape[0]
        B = min(int(self.batch_size), n_train)
        x_map = MarginalMap(Xt, self.preprocessing)
        y_map = MarginalMap(Yt, self.preprocessing)
        state = {"_x_map": x_map, "_y_map": y_map,
                 "batch_size_": B, "_block_seed": int(rng.integers(2**63))}
        Xp, Yp = _padded_rows(x_map(Xt), dtype), _padded_rows(y_map(Yt), dtype)
        # Everything is prepared in NumPy (data, initial critic and optimiser state, batches) and
        # placed on the device once: a JAX operation run outside the training program would be
        # compiled, or traced and looked up, on its first use in each process.
        device = jax.devices()[0]
        X_dev, Y_dev = jax.device_put((Xp, Yp), device)
        # Committed to the device of the data, as the training program's outputs are:
        # otherwise the second chunk's inputs differ in placement from the first's.
        params, opt_state, log_ma = jax.device_put(nj.init_state(
            rng, float(self.learning_rate), float(self.weight_decay), critic=self.critic,
            dx=Xt.shape[1], dy=Yt.shape[1], hidden=tuple(int(h) for h in self.hidden),
            embed_dim=int(self.embed_dim), dtype=dtype), device)
        # The held-out blocks of the early stopping are those the final value is computed on.
        xb, yb, n_blocks = _blocks(nj, x_map(Xv), y_map(Yv), B, state["_block_seed"], dtype)

        steps = [int(self.eval_every)] * (int(self.max_steps) // int(self.eval_every))
        if int(self.max_steps) % int(self.eval_every):
            steps.append(int(self.max_steps) % int(self.eval_every))
        hist_step, hist_train, hist_val = [], [], []
        best, best_params, best_step, best_eval, stale, done = -math.inf, params, 0, None, 0, 0
        batches = _Batches(rng, n_train, B)
        for n_steps in _progress(steps, enabled=self.progress, desc="NeuralMI",
                                 total=len(steps)):
            params, opt_state, log_ma, train_value, values, terms = nj.call(
                nj.train_and_evaluate, params, opt_state, log_ma, batches.take(n_steps), X_dev,
                Y_dev, xb, yb, bound=self.bound, critic=self.critic)
            done += n_steps
            values = np.asarray(values)[:n_blocks]
            value = float(np.mean(values, dtype=np.float64))
            hist_step.append(done)
            hist_train.append(float(train_value))
            hist_val.append(value)
            if value > best:
                best, best_params, best_step, stale = value, params, done, 0
                best_eval = (values, np.asarray(terms)[:n_blocks], n_blocks)
            else:
                stale += 1
                if stale >= self.patience:
                    break
        if best_eval is None:  # no finite held-out value (training diverged): the initial critic
            values, terms = nj.call(nj.evaluate, best_params, xb, yb, bound=self.bound,
                                    critic=self.critic)
            best_eval = (values, terms, n_blocks)
        state.update(
            critic_params_=best_params,
            history_={"step": np.array(hist_step), "train": np.array(hist_train),
                      "validation": np.array(hist_val)},
            n_iter_=done,
            best_step_=best_step,
            backend_="jax",
            device_=f"{device.platform}:{device.id}",
            _held_out_evaluation=best_eval,
        )
        return state

    def _warn_if_negative(self, result: Estimate) -> None:
        se = result.standard_error
        if result.value < -3.0 * se:
            warnings.warn(
                f"NeuralMI: the held-out {self.bound} bound is {result.value:.3g} nats "
                f"(standard error {se:.2g}), clearly below 0: the critic fits the training "
                "split but not the held-out one, so the data only show I >= 0. Use more "
                "samples, a smaller critic (hidden, embed_dim) or a lower learning_rate.",
                InfotheoryWarning, stacklevel=3,
            )


class _Batches:
    """Training batches as row indices, drawn epoch by epoch: each pass over the training rows
    is a new random permutation cut into batches of ``B`` distinct rows (the ``n_train % B``
    rows left over are skipped in that pass), so every pair is seen equally often."""

    def __init__(self, rng, n_train: int, B: int):
        self.rng, self.n_train, self.B = rng, n_train, B
        self.queue = np.empty((0, B), np.int32)

    def take(self, n_steps: int) -> np.ndarray:
        per_pass = self.n_train // self.B
        short = n_steps - len(self.queue)
        if short > 0:
            passes = -(-short // per_pass)
            perms = self.rng.permuted(np.tile(np.arange(self.n_train, dtype=np.int32),
                                              (passes, 1)), axis=1)
            new = perms[:, :per_pass * self.B].reshape(-1, self.B)
            self.queue = np.concatenate([self.queue, new])
        out, self.queue = self.queue[:n_steps], self.queue[n_steps:]
        return out


def _block_estimate(values, terms, n_blocks) -> Estimate:
    """Mean of the first ``n_blocks`` block values, and its standard error from the spread of
    their rows' influence terms."""
    values = np.asarray(values, dtype=np.float64)[:n_blocks]
    terms = np.asarray(terms, dtype=np.float64)[:n_blocks].ravel()
    se = float(terms.std(ddof=1) / math.sqrt(terms.size))
    return Estimate(float(np.mean(values)), standard_error=se)


def _blocks(nj, X, y, batch_size, seed, dtype):
    """Mapped data as ``(n_padded, B, d)`` device arrays and the count ``n_blocks`` of blocks
    that hold data: rows in a fixed pseudo-random order (sorted input would otherwise bias the
    blocks), the remainder of ``n / B`` dropped. The blocks past ``n_blocks`` are zeros, up to
    :func:`_padded_blocks`, so that held-out sets of similar size share one compiled evaluation
    (each block is evaluated on its own; callers keep the first ``n_blocks`` results)."""
    n = X.shape[0]
    B = min(batch_size, n)
    n_blocks = n // B
    n_padded = _padded_blocks(n_blocks)
    order = np.random.default_rng(seed).permutation(n)[: n_blocks * B]
    xb = np.zeros((n_padded, B, X.shape[1]), dtype=dtype)
    yb = np.zeros((n_padded, B, y.shape[1]), dtype=dtype)
    xb[:n_blocks] = X[order].reshape(n_blocks, B, -1)
    yb[:n_blocks] = y[order].reshape(n_blocks, B, -1)
    return (*nj.jax.device_put((xb, yb), nj.jax.devices()[0]), n_blocks)


def _padded_blocks(n_blocks: int) -> int:
    """Block count the held-out data are padded to: the next power of two up to 8, then the next
    multiple of an eighth of the enclosing power of two (8 sizes per doubling, so the padding
    costs at most an eighth more evaluation)."""
    if n_blocks <= 8:
        return 1 << (n_blocks - 1).bit_length()
    step = 1 << (n_blocks.bit_length() - 4)
    return -(-n_blocks // step) * step


class MarginalMap:
    """Per-feature map learned on the training split and applied to any data afterwards.

    ``"standardize"``: :math:`(z - \\mu) / \\sigma`. ``"quantile"``: the normal score
    :math:`\\Phi^{-1}(\\hat F(z))` of the training split's empirical CDF, interpolated between
    the training values (ranks :math:`1..n` mapped to :math:`i / (n + 1)`) and flat beyond them.
    Both are monotone per feature, so they leave the MI unchanged (the quantile map exactly, up
    to the flat tails beyond the training range), and the quantile map tames heavy tails and
    strong marginal nonlinearities that a small network handles badly.
    """

    def __init__(self, Z: np.ndarray, kind: str):
        self.kind = kind
        if kind == "quantile":
            self.sorted_ = np.sort(Z, axis=0)
            self.levels_ = ndtri(np.arange(1, Z.shape[0] + 1) / (Z.shape[0] + 1.0))
        else:
            self.loc_ = Z.mean(axis=0)
            scale = Z.std(axis=0)
            self.scale_ = np.where(scale > 0, scale, 1.0)

    def __call__(self, Z: np.ndarray) -> np.ndarray:
        if self.kind != "quantile":
            return (Z - self.loc_) / self.scale_
        out = np.empty(Z.shape)
        for j in range(Z.shape[1]):
            out[:, j] = np.interp(Z[:, j], self.sorted_[:, j], self.levels_)
        return out
