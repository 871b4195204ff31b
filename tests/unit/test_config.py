"""ExperimentConfig: validation messages, URL round trips, and malformed links that never raise."""

import math
import random

import pytest

from core.config import CAPS, URL_FIELDS, ConfigError, ExperimentConfig
from core.datasets import DATASETS
from core.losses import LOSSES


def test_default_is_valid_and_round_trips():
    config = ExperimentConfig().validate()
    again, warnings = ExperimentConfig.from_query_params(config.to_query_params())
    assert again == config and warnings == []


@pytest.mark.parametrize("changes", [
    dict(dataset="wine", loss="categorical_crossentropy", hidden=(5,), skip=True, batchnorm=True),
    dict(dataset="diabetes", loss="huber", hidden=(), optimizer="nadam", learning_rate=3e-4),
    dict(dataset="spiral", features=("x1", "x2", "sin_x1", "x1_x2"), hidden=(8,) * 32, dropout=0.25,
         l2=1e-3, batch_size=1, epochs=2000, seed=2**31 - 1, noise=0.35),
])
def test_round_trip(changes):
    config = ExperimentConfig(**changes).validate()
    again, warnings = ExperimentConfig.from_query_params(config.to_query_params())
    assert again == config and warnings == []


@pytest.mark.parametrize("changes, words", [
    (dict(dataset="nope"), "Unknown dataset"),
    (dict(activation="relu6"), "Unknown activation"),
    (dict(loss="binary_crossentropy", dataset="wine"), "does not fit a multiclass"),
    (dict(hidden=(8,) * 33), "cap of 32"),
    (dict(hidden=(300,)), "cap of 256"),
    (dict(hidden=(256,) * 8), "cap of 300000"),
    (dict(learning_rate=0.0), "outside the allowed range"),
    (dict(learning_rate=math.nan), "finite"),
    (dict(epochs=CAPS["epochs"] + 1), "outside the allowed range"),
    (dict(features=()), "at least one input feature"),
])
def test_validation_messages(changes, words):
    with pytest.raises(ValueError, match=words) as err:
        ExperimentConfig(**changes).validate()
    assert isinstance(err.value, ConfigError)
    assert err.value.text("ko") != str(err.value)  # a Korean message exists too


def test_caps_are_named_in_korean():
    with pytest.raises(ConfigError) as err:
        ExperimentConfig(hidden=(8,) * 40).validate()
    assert "32" in err.value.text("ko") and "상한" in err.value.text("ko")


def test_with_dataset_keeps_a_fitting_loss():
    config = ExperimentConfig(loss="mse").with_dataset("wine")
    assert config.loss == "mse" and config.n_samples == DATASETS["wine"].max_samples
    assert ExperimentConfig().with_dataset("diabetes").loss == "mse"
    assert ExperimentConfig().with_dataset("wine").loss == "sparse_categorical_crossentropy"


def test_param_count_matches_keras():
    pytest.importorskip("keras")
    from core.models import build_model

    for config in [ExperimentConfig(), ExperimentConfig(hidden=(8, 4, 4), skip=True, batchnorm=True),
                   ExperimentConfig(dataset="digits", loss="mse", hidden=(32,), dropout=0.2)]:
        assert build_model(config).count_params() == config.count_params()


MALFORMED = [
    {}, {"n": ""}, {"n": "abc"}, {"n": "1e309"}, {"n": "-5"}, {"n": "NaN"}, {"noise": "inf"},
    {"noise": "-1"}, {"val": "2"}, {"hidden": "8,,8"}, {"hidden": "a,b"}, {"hidden": ",".join(["8"] * 100)},
    {"hidden": "99999"}, {"hidden": "-3"}, {"hidden": "0"}, {"act": "🙂"}, {"act": ""}, {"loss": "x" * 5000},
    {"opt": "adam; DROP TABLE"}, {"lr": "0"}, {"lr": "1e-30"}, {"lr": "1e30"}, {"bs": "0"}, {"bs": "1.5"},
    {"epochs": "999999999999"}, {"seed": "-1"}, {"seed": "3.7"}, {"skip": "maybe"}, {"bn": "2"},
    {"drop": "0.99"}, {"l2": "-0.1"}, {"feat": ""}, {"feat": "x3,x4"}, {"feat": "x1,x1"},
    {"data": "wine", "feat": "x1_sq"}, {"data": "digits", "hidden": "256,256,256,256,256"},
    {"data": ["xor", "circle"]}, {"data": []}, {"lr": ["0.1", "nan"]}, {"data": None}, {"n": None},
    {"data": "diabetes", "loss": "binary_crossentropy"}, {"data": "wine", "loss": "huber"},
    {"unknown": "1"}, {"n": "  42  "}, {"lr": "0x10"}, {"hidden": "8;8"}, {"hidden": "8 ,8"},
    {"seed": "99999999999999999999999"}, {"n": "5" * 400}, {"data": "\x00"}, {"act": "relu\n"},
]


@pytest.mark.parametrize("params", MALFORMED)
def test_malformed_query_never_raises(params):
    config, warnings = ExperimentConfig.from_query_params(params)
    config.validate()  # whatever came in, what comes out is runnable
    for warning in warnings:
        assert warning.text("en") and warning.text("ko")


def test_random_fuzz_never_raises():
    rng = random.Random(7)
    alphabet = "0123456789.,-e+xnaNifrelu_ 🙂"
    keys = [key for _, key, _ in URL_FIELDS]
    for _ in range(300):
        params = {rng.choice(keys): "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
                  for _ in range(rng.randint(1, 6))}
        config, _ = ExperimentConfig.from_query_params(params)
        config.validate()


def test_bad_values_warn_and_are_clamped():
    config, warnings = ExperimentConfig.from_query_params({"lr": "1e30", "hidden": "8,1000", "act": "x"})
    assert config.learning_rate == 10.0 and config.hidden == (8, 256) and config.activation == "relu"
    assert len(warnings) == 3


def test_every_loss_has_a_dataset_it_fits():
    for loss in LOSSES.values():
        assert any(d.task in loss.tasks for d in DATASETS.values())
