"""What the model-structure page shows of a freshly built Keras model, as plain data: its
graph, the layer table, the shapes a real batch takes, the parameter count and the first
hidden kernel's rank. A result holds no Keras object, so the page's default view reads it from
a file shipped with the app (ui.stored) without importing TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import ExperimentConfig
from core.lessons import structure as lesson
from core.model_graph import ModelGraph, model_graph


@dataclass
class BuiltModel:
    graph: ModelGraph
    rows: list[lesson.LayerRow]
    shapes: dict[str, tuple[int, ...]]  # layer -> its output's shape on a real batch of 8
    params: int                         # Keras' model.count_params()
    rank: int                           # kernel_rank of hidden_1 (the sentence on its dimension)


def built_model(config: ExperimentConfig) -> BuiltModel:
    """Build `build_model(config)`, run a real batch through it and read everything off it."""
    from core.models import build_model

    model = build_model(config)
    x_batch, _ = lesson.sample_batch(config.dataset, 8)
    return BuiltModel(model_graph(model), lesson.layer_rows(model), dict(lesson.shape_trace(model, x_batch)),
                      int(model.count_params()), lesson.kernel_rank(model))
