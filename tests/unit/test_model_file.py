"""The Lab's `.keras` download is compiled: `load_model(path).evaluate(x, y)` works as downloaded
and reports the loss the Lab showed for the same weights."""

import warnings

import numpy as np
import pytest

from core.config import ExperimentConfig

CONFIGS = [
    ExperimentConfig(dataset="xor", n_samples=200, hidden=(4,), epochs=5),
    ExperimentConfig(hidden=(5,), batchnorm=True, epochs=5).with_dataset("wine"),
    ExperimentConfig(dataset="plane", n_samples=200, hidden=(4, 4), skip=True, loss="huber", epochs=5),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.dataset)
def test_downloaded_model_evaluates_without_compile(config, tmp_path):
    keras = pytest.importorskip("keras")
    from core.runs import model_bytes
    from core.training import Trainer

    trainer = Trainer(config)
    for _ in trainer.run():
        pass
    path = tmp_path / "model.keras"
    path.write_bytes(trainer.with_model(lambda model: model_bytes(model, config)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Skipping variable loading for optimizer"
        loaded = keras.models.load_model(path)
    data = trainer.data
    results = loaded.evaluate(data.x_val, data.y_val, verbose=0, return_dict=True)
    assert set(results) == {"loss", "mae" if config.task == "regression" else "accuracy"}
    # The oracle: the same weights' validation loss as the Lab's run measured it.
    assert results["loss"] == pytest.approx(trainer.history[-1].val_loss, rel=1e-4, abs=1e-6)
    assert np.isfinite(results[list(results)[1]])
