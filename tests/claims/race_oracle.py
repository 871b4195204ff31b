"""An independent re-run of a seed race: Keras' own `model.fit` (full batch, no shuffling, the
same initial weights from `build_model`) instead of the project's compiled Trainer, and the
final losses read with `model.evaluate`."""

from __future__ import annotations

import numpy as np


def fit_final(config, epochs: int | None = None) -> dict[str, float]:
    """Final training and validation loss and validation accuracy of `config` trained full batch
    with `model.fit` (a different training loop: Keras' own, per epoch, with its callbacks)."""
    import keras

    from core.datasets import make_split
    from core.losses import LOSSES, encode_targets
    from core.models import build_model
    from core.optimizers import OPTIMIZERS

    data = make_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed,
                      config.features)
    y_train = encode_targets(data.y_train, data.task, config.loss, data.n_classes)
    y_val = encode_targets(data.y_val, data.task, config.loss, data.n_classes)
    model = build_model(config)
    model.compile(optimizer=OPTIMIZERS[config.optimizer].make(config.learning_rate),
                  loss=LOSSES[config.loss].keras, jit_compile=False)
    n = len(data.x_train)
    model.fit(data.x_train.astype("float32"), y_train, batch_size=n, epochs=epochs or config.epochs,
              shuffle=False, verbose=0)
    train_loss = model.evaluate(data.x_train.astype("float32"), y_train, batch_size=n, verbose=0)
    val_loss = model.evaluate(data.x_val.astype("float32"), y_val, batch_size=len(data.x_val), verbose=0)
    p = np.asarray(model.predict(data.x_val.astype("float32"), verbose=0), np.float64)
    labels = data.y_val.reshape(-1)
    guess = (p.reshape(-1) > 0.5).astype(int) if p.shape[1] == 1 else p.argmax(axis=1)
    return {"train_loss": float(train_loss), "val_loss": float(val_loss),
            "val_metric": float(np.mean(guess == labels))}
