"""The live-training engine: a generator of per-epoch records, compiled a chunk of epochs at a time.

Usage:
    trainer = Trainer(config)
    for record in trainer.run():          # epoch 0 first; then a plain graph while XLA compiles
        draw(record)                      # the caller paces drawing; closing the generator stops
    trainer.run(100)                      # "Continue": more epochs, same weights and optimizer

Modules: `loop` (the Trainer and its run loop), `compiled` (one architecture's model,
optimizer, data variables and traced functions, with the training step one function per
phase), `pool` (compiled sets shared in turn by the runs of one architecture), `ahead`
(architectures prepared before Train), `helper` (a crowded server's first turns in a second
process), `records` (what a run reports).
"""

from core import runtime

runtime.serialize_compile()  # AutoGraph compiles in background threads while Streamlit compiles pages

from core.training.compiled import GRAD_PROBE_SIZE, MAX_CHUNK  # noqa: E402
from core.training.loop import DEFAULT_GRID, DEFAULT_PROBE_SIZE, DEFAULT_SNAPSHOTS, TARGET_CHUNK_SECONDS, WATCH_SECONDS, XLA_WORTH_SECONDS, Trainer  # noqa: E402
from core.training.pool import MAX_FREE_SETS, _Pool  # noqa: E402
from core.training.ahead import prepare  # noqa: E402
from core.training.records import EpochRecord, ProbeSet, Snapshot, metric_name  # noqa: E402

__all__ = ["DEFAULT_GRID", "DEFAULT_PROBE_SIZE", "DEFAULT_SNAPSHOTS", "EpochRecord", "GRAD_PROBE_SIZE",
           "MAX_CHUNK", "MAX_FREE_SETS", "ProbeSet", "Snapshot", "TARGET_CHUNK_SECONDS", "Trainer", "WATCH_SECONDS",
           "XLA_WORTH_SECONDS", "_Pool", "metric_name", "prepare"]
