"""The Lab's two training losses, labelled by how they are measured (issue #13, item 1):

* "training (training mode, mean over batches)" is what `model.fit` reports as "loss": Keras'
  own fit, from the same initial weights, over the same batches in the same order, gives the
  same number for each epoch;
* "training (inference mode)" is what `model.evaluate` reports on the training set for the
  weights the Lab has after that epoch.

BatchNorm is on (the case where the two differ most), over seeds 0-4."""

import numpy as np
import pytest

from core.config import ExperimentConfig
from tests.claims.conftest import SEEDS

EPOCHS = 2


@pytest.mark.parametrize("seed", SEEDS)
def test_training_mode_loss_is_fits_and_inference_mode_loss_is_evaluates(seed):
    import tensorflow as tf

    from core.losses import LOSSES
    from core.models import build_model
    from core.optimizers import OPTIMIZERS
    from core.training import Trainer
    from core.training.compiled import _seed32, _shuffle

    config = ExperimentConfig(dataset="circle", n_samples=400, hidden=(8, 8, 8), batchnorm=True, seed=seed,
                              epochs=EPOCHS).validate()
    trainer = Trainer(config)
    initial = trainer.with_model(lambda m: [w.copy() for w in m.get_weights()])
    records = list(trainer.run())
    x, y = trainer._arrays["x_train"], trainer._arrays["y_train"]

    model = build_model(config)
    model.set_weights(initial)
    model.compile(optimizer=OPTIMIZERS[config.optimizer].make(config.learning_rate), loss=LOSSES[config.loss].keras)
    for epoch in range(EPOCHS):  # the Lab's shuffle order for that epoch, fed to fit unshuffled
        order = _shuffle(len(x), tf.constant(_seed32(seed), tf.int64), tf.constant(epoch)).numpy()
        history = model.fit(x[order], y[order], batch_size=trainer.batch_size, epochs=1, shuffle=False, verbose=0)
        assert records[epoch + 1].fit_loss == pytest.approx(history.history["loss"][0], rel=1e-3, abs=1e-5)

    lab_weights = trainer.with_model(lambda m: [w.copy() for w in m.get_weights()])
    evaluator = build_model(config)
    evaluator.set_weights(lab_weights)
    evaluator.compile(loss=LOSSES[config.loss].keras)
    evaluated = evaluator.evaluate(x, y, batch_size=len(x), verbose=0)
    assert records[-1].train_loss == pytest.approx(float(np.atleast_1d(evaluated)[0]), rel=1e-4, abs=1e-6)
    # And with BatchNorm the two measurements differ: the label is not a formality.
    assert not np.isclose(records[-1].fit_loss, records[-1].train_loss, rtol=1e-3)
