"""The losses page's last two sections: values over 18 orders of magnitude on a log scale, and
why cross-entropy takes logs (a product of probabilities underflows float32; TensorFlow flushes
subnormals to zero, IEEE float32 keeps them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.config import ExperimentConfig
from core.optimizers import OPTIMIZERS


# ---- the log scale: values over 18 orders of magnitude ---------------------------------------
@dataclass(frozen=True)
class Magnitude:
    group: str      # "probability", "tolerance", "learning_rate", "loss", "parameters"
    label: str      # short, language-neutral label
    value: float


MLP_SHAPES = ((8, 8), (64, 64), (256, 256, 256, 256), (4096,) * 8, (32768, 32768))


def magnitudes() -> list[Magnitude]:
    """Numbers a learner meets, from 1e-9 to 1e9, each computed here rather than typed in."""
    import keras

    from core.activations import softmax

    out = []
    for gap in (2, 10, 20):  # the smaller class's softmax probability when two logits differ
        out.append(Magnitude("probability", f"Δz={gap}", float(softmax(np.array([gap, 0.0]))[1])))
    out.append(Magnitude("tolerance", "keras.config.epsilon()", float(keras.config.epsilon())))
    out.append(Magnitude("tolerance", "float32 eps", float(np.finfo(np.float32).eps)))
    for name, opt in OPTIMIZERS.items():
        out.append(Magnitude("learning_rate", name, opt.default_lr))
    for p in (0.5, 0.9, 0.999, 0.999999):  # BCE of a correct prediction with confidence p
        value = float(keras.losses.binary_crossentropy(np.array([[1.0]]), np.array([[p]]))[0])
        out.append(Magnitude("loss", f"BCE p={p:g}", value))
    for hidden in MLP_SHAPES:  # parameters of a 2-input MLP, counted by the shared config
        count = ExperimentConfig(hidden=hidden).count_params()
        out.append(Magnitude("parameters", f"MLP {len(hidden)}×{hidden[0]}", float(count)))
    return out


def zoom_counts(values: np.ndarray, upper: float, resolution: float = 0.01) -> dict[str, int]:
    """On a linear axis [0, upper]: which values can be told apart from 0, which are off the chart."""
    values = np.asarray(values, float)
    return {
        "visible": int(np.sum((values > resolution * upper) & (values <= upper))),
        "squashed": int(np.sum(values <= resolution * upper)),
        "off_chart": int(np.sum(values > upper)),
        "total": int(values.size),
    }


# ---- why cross-entropy takes logs: a product of probabilities underflows ---------------------
@dataclass(frozen=True)
class Underflow:
    probs: np.ndarray            # (n,) p of the correct label for each sample, float32
    product32: np.ndarray        # (n,) running product in TensorFlow's float32 (reaches exactly 0)
    sum_log32: np.ndarray        # (n,) running sum of ln p in float32 (stays finite)
    sum_log64: np.ndarray        # (n,) the same in float64, the reference
    zero_at: int | None          # first n (1-based) where the float32 product is exactly 0
    subnormal_at: int | None     # first n where it drops below the smallest normal float32
    keras_bce: float             # keras BCE of these predictions (all labels 1) = -mean ln p
    # (n,) the same running product in IEEE float32 (NumPy), which keeps subnormal numbers
    # (down to 1.4e-45) where TensorFlow flushes them to 0; rounding there can leave it stuck.
    product_ieee: np.ndarray = None

    @property
    def ieee_zero_at(self) -> int | None:
        zero = np.flatnonzero(self.product_ieee == 0.0)
        return int(zero[0]) + 1 if zero.size else None

    @property
    def mean_nll(self) -> float:
        return float(-self.sum_log32[-1] / len(self.probs))


def underflow(n: int, p_typical: float, seed: int = 0) -> Underflow:
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    lo, hi = max(0.01, p_typical - 0.08), min(0.999, p_typical + 0.08)
    probs = rng.uniform(lo, hi, n).astype("float32")  # (n,)
    pt = tf.constant(probs)
    product32 = np.asarray(tf.math.cumprod(pt), dtype=np.float32)  # TensorFlow flushes subnormals
    product_ieee = np.cumprod(probs, dtype=np.float32)  # NumPy keeps them
    sum_log32 = np.asarray(tf.math.cumsum(tf.math.log(pt)), dtype=np.float32)
    sum_log64 = np.cumsum(np.log(probs.astype(np.float64)))
    zero = np.flatnonzero(product32 == 0.0)
    sub = np.flatnonzero(product32 < np.finfo(np.float32).tiny)
    bce = float(keras.losses.BinaryCrossentropy()(np.ones((n, 1), "float32"), probs.reshape(-1, 1)))
    return Underflow(probs, product32, sum_log32, sum_log64,
                     int(zero[0]) + 1 if zero.size else None, int(sub[0]) + 1 if sub.size else None, bce,
                     product_ieee)


UNDERFLOW_SEEDS = (0, 1, 2, 3, 4)  # draws of the probabilities: the chart shows the first


def underflow_runs(n: int, p_typical: float, seeds: tuple[int, ...] = UNDERFLOW_SEEDS) -> tuple[Underflow, ...]:
    return tuple(underflow(n, p_typical, seed) for seed in seeds)


def ieee_outcome(u: Underflow) -> str:
    """How the IEEE float32 product ends: "zero", "close" (within a factor of 10 of the true
    value) or "stuck" (rounding among the few subnormal numbers left it further away)."""
    if u.ieee_zero_at is not None:
        return "zero"
    true_log10 = float(u.sum_log64[-1] / np.log(10))
    return "stuck" if abs(np.log10(float(u.product_ieee[-1])) - true_log10) > 1 else "close"


def _span(values, fmt: str) -> str:
    lo, hi = min(values), max(values)
    return format(lo, fmt) if lo == hi else f"{format(lo, fmt)}–{format(hi, fmt)}"


def underflow_sentence(runs: tuple[Underflow, ...], lang: str) -> str:
    """Where the float32 product ends, in TensorFlow (flushes subnormals) and in IEEE float32,
    said for every draw of the probabilities: what holds in all of them, else how many."""
    from core.i18n import t

    k = len(runs)
    true = [float(u.sum_log64[-1] / np.log(10)) for u in runs]
    zero = [u.zero_at for u in runs if u.zero_at is not None]
    if len(zero) == k:
        tf_part = t("losses.underflow.tf_zero", lang, n=_span(zero, "d"), k=k) if all(
            u.zero_at == u.subnormal_at for u in runs) else t("losses.underflow.tf_zero_late", lang,
                                                             n=_span(zero, "d"), k=k)
    elif not zero:
        tf_part = t("losses.underflow.tf_positive", lang, k=k,
                    product=_span([float(u.product32[-1]) for u in runs], ".3g"))
    else:
        tf_part = t("losses.underflow.tf_some", lang, zero=len(zero), k=k, n=_span(zero, "d"))
    outcomes = [ieee_outcome(u) for u in runs]
    ends = [float(u.product_ieee[-1]) for u in runs]
    if len(set(outcomes)) == 1:
        off = [abs(np.log10(e) - tr) for e, tr in zip(ends, true)] if outcomes[0] != "zero" else [0.0]
        ieee = t(f"losses.underflow.ieee_{outcomes[0]}", lang, k=k, product=_span(ends, ".3g"),
                 n=_span([u.ieee_zero_at or 0 for u in runs], "d"), off=_span(off, ".0f"))
    else:
        ieee = t("losses.underflow.ieee_mixed", lang, k=k, zero=outcomes.count("zero"),
                 close=outcomes.count("close"), stuck=outcomes.count("stuck"), product=_span(ends, ".3g"))
    return t("losses.underflow.sentence", lang, n=len(runs[0].probs), tf=tf_part, ieee=ieee, k=k,
             true_lo=f"{min(true):.1f}", true_hi=f"{max(true):.1f}")
