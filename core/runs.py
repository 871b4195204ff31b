"""Summaries of finished or interrupted runs, for the Lab's run comparison and downloads."""

from __future__ import annotations

import dataclasses
import io

import numpy as np

MAX_RUNS = 8


def summarize(trainer, number: int) -> dict:
    """A small, model-free record of a run (the Trainer and its model can then be freed)."""
    config = trainer.config
    history = trainer.history
    last = history[-1] if history else None
    depth = len(config.hidden)
    label = (f"#{number} {config.dataset} · {config.activation} · {depth}×"
             f"{config.hidden[0] if depth else 0}{' +skip' if config.skip else ''}"
             f"{' +BN' if config.batchnorm else ''} · {config.optimizer} {config.learning_rate:g}")
    return {
        "number": number,
        "label": label,
        "config": dataclasses.asdict(config),
        "epochs": [r.epoch for r in history],
        "val_loss": [r.val_loss for r in history],
        "train_loss": [r.train_loss for r in history],
        "final": None if last is None else {
            "epoch": last.epoch, "train_loss": last.train_loss, "val_loss": last.val_loss,
            "train_metric": last.train_metric, "val_metric": last.val_metric},
        "metric": trainer.metric_name,
        "status": trainer.status,
    }


def remember(runs: list[dict], summary: dict) -> list[dict]:
    """Insert or update a run (by number), keeping the last MAX_RUNS."""
    runs = [r for r in runs if r["number"] != summary["number"]] + [summary]
    return runs[-MAX_RUNS:]


def config_table(runs: list[dict]) -> tuple[list[dict], list[str]]:
    """Rows of config values + final metrics, and the config fields that differ between runs."""
    fields = list(runs[0]["config"]) if runs else []
    differing = [f for f in fields if len({repr(r["config"][f]) for r in runs}) > 1]
    rows = []
    for run in runs:
        row = {"run": f"#{run['number']}", "status": run["status"]}
        for f in fields:
            value = run["config"][f]
            row[f] = ",".join(map(str, value)) if isinstance(value, (tuple, list)) else value
        if run["final"]:
            row["epochs run"] = run["final"]["epoch"]
            row["val loss"] = round(run["final"]["val_loss"], 5)
            row[f"val {run['metric']}"] = round(run["final"]["val_metric"], 4)
        rows.append(row)
    return rows, differing


def history_csv(trainer) -> bytes:
    """The run's history as CSV (epoch, losses, metrics, and gradient norms at snapshots)."""
    layers = trainer.kernel_layer_names
    out = io.StringIO()
    metric = trainer.metric_name
    out.write(",".join(["epoch", "train_loss", "val_loss", f"train_{metric}", f"val_{metric}",
                        "seconds"] + [f"grad_norm_{name}" for name in layers]) + "\n")
    for r in trainer.history:
        norms = ([f"{r.snapshot.grad_norms[n]:.6g}" for n in layers] if r.snapshot else [""] * len(layers))
        out.write(",".join([str(r.epoch)] + [f"{v:.6g}" for v in (r.train_loss, r.val_loss, r.train_metric,
                                                                    r.val_metric, r.seconds)] + norms) + "\n")
    return out.getvalue().encode()


def model_bytes(model, config=None) -> bytes:
    """The trained model as a `.keras` file (saved to a temporary path, returned as bytes).

    With the run's `config`, the file is compiled with its loss, optimizer and metric (as in
    the exported script), so `keras.models.load_model(path).evaluate(x, y)` works as
    downloaded. A copy is compiled: the Lab trains the model itself with its own loop."""
    import os
    import tempfile

    if config is not None:
        model = _compiled_copy(model, config)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as f:
            return f.read()


def _compiled_copy(model, config):
    import keras

    from core.losses import LOSSES
    from core.optimizers import OPTIMIZERS

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    metric = "mae" if config.task == "regression" else "accuracy"
    copy.compile(optimizer=OPTIMIZERS[config.optimizer].make(config.learning_rate),
                 loss=LOSSES[config.loss].keras, metrics=[metric])
    # Built now, its (fresh) slots are saved too: loading then restores them without a warning.
    copy.optimizer.build(copy.trainable_variables)
    return copy


def snapshot_epochs(trainer) -> list[int]:
    return [r.epoch for r in trainer.history if r.snapshot is not None]


def snapshot_at(trainer, epoch: int):
    for r in trainer.history:
        if r.epoch == epoch and r.snapshot is not None:
            return r.snapshot
    return None


def curves_arrays(history) -> dict[str, np.ndarray]:
    return {name: np.array([getattr(r, name) for r in history])
            for name in ("epoch", "train_loss", "val_loss", "train_metric", "val_metric", "fit_loss")}
