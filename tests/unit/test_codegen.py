"""The generated script runs on its own and builds exactly the model the app trains."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from core.codegen import generate_script
from core.config import ExperimentConfig

CONFIGS = {
    "xor_default": ExperimentConfig(),
    "wine_skip_bn_dropout": ExperimentConfig(dataset="wine", n_samples=178, hidden=(5, 4), skip=True,
                                             batchnorm=True, dropout=0.1, l2=1e-3,
                                             loss="categorical_crossentropy", optimizer="nesterov"),
    "spiral_features": ExperimentConfig(dataset="spiral", features=("x1", "x2", "sin_x1", "x1_x2"),
                                        hidden=(6,), loss="mse", batch_size=1000),
    "diabetes_huber": ExperimentConfig(dataset="diabetes", n_samples=442, hidden=(), loss="huber",
                                       optimizer="rmsprop"),
    "xor_schedule_early_stop": ExperimentConfig(lr_schedule="step", patience=3, target_loss=0.3),
}


@pytest.mark.parametrize("name", ["xor_default", "wine_skip_bn_dropout", "xor_schedule_early_stop"])
def test_generated_script_runs_for_two_epochs(name, tmp_path):
    script = tmp_path / "experiment.py"
    script.write_text(generate_script(CONFIGS[name]))
    env = {**os.environ, "EPOCHS": "2", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    final = json.loads(done.stdout.strip().splitlines()[-1])
    assert "val_loss" in final and np.isfinite(final["val_loss"])


@pytest.mark.parametrize("name", list(CONFIGS))
def test_generated_script_builds_the_same_data_and_weights(name):
    pytest.importorskip("keras")
    from core.datasets import split_for
    from core.models import build_model

    config = CONFIGS[name]
    source = generate_script(config).split("# ---- training")[0]
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "generated.py", "exec"), namespace)  # data + model, no training
    data = split_for(config)
    np.testing.assert_allclose(namespace["x_train"], data.x_train, rtol=1e-6)
    np.testing.assert_allclose(namespace["x_val"], data.x_val, rtol=1e-6)
    ours = build_model(config)
    theirs = namespace["model"]
    assert [layer.name for layer in ours.layers] == [layer.name for layer in theirs.layers]
    for a, b in zip(ours.get_weights(), theirs.get_weights()):
        np.testing.assert_array_equal(a, b)
