"""A real Keras model's layer graph, read from the model itself (drawn by core.charts.graph).

Nothing here is hand-drawn: `model_graph(model)` walks back from `model.outputs` through each
tensor's `_keras_history` (the same bookkeeping `keras.utils.plot_model` uses) and records, for
every layer call, its output shape and parameter count, then marks the skip connections:

* an edge into a merge layer (Add, Concatenate, …) is a **skip** when the branch it ends
  (followed back to where the paths fork) has fewer layers than the longest path between the
  same two points, i.e. it jumps over layers that another path goes through. Two parallel
  branches of the same length are not skips, a residual shortcut is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_FAMILY = {
    "InputLayer": "input", "Dense": "dense", "EinsumDense": "dense", "Embedding": "dense",
    "Conv1D": "conv", "Conv2D": "conv", "Conv3D": "conv", "Conv2DTranspose": "conv",
    "SeparableConv2D": "conv", "DepthwiseConv2D": "conv",
    "Activation": "activation", "ReLU": "activation", "Softmax": "activation",
    "Add": "merge", "Concatenate": "merge", "Multiply": "merge", "Average": "merge",
    "Subtract": "merge", "Maximum": "merge", "Minimum": "merge", "Dot": "merge",
    "BatchNormalization": "regularize", "LayerNormalization": "regularize",
    "Dropout": "regularize",
    "MaxPooling1D": "resample", "MaxPooling2D": "resample", "AveragePooling2D": "resample",
    "UpSampling1D": "resample", "UpSampling2D": "resample", "Flatten": "resample",
    "Reshape": "resample", "GlobalAveragePooling2D": "resample",
}


@dataclass
class GraphNode:
    index: int
    name: str                  # the layer's name ("name#2" for a second call of a shared layer)
    kind: str                  # the layer's class name: Dense, Add, …
    output_shape: tuple | None  # e.g. (None, 5); None where Keras does not know it
    params: int                # trainable + non-trainable
    trainable_params: int
    parents: list[int] = field(default_factory=list)
    level: int = 0             # longest path (in layers) from an input
    on_skip: bool = False      # lies on a skip branch (e.g. a projection shortcut)
    details: str = ""          # units / activation / filters, for the hover text

    @property
    def family(self) -> str:
        return _FAMILY.get(self.kind, "other")

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1

    @property
    def shape_text(self) -> str:
        return format_shape(self.output_shape)


@dataclass
class GraphEdge:
    source: int
    target: int
    skip: bool = False


@dataclass
class ModelGraph:
    name: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    inferred: bool = False  # True when the order was guessed from `model.layers` (subclassed)

    @property
    def skip_edges(self) -> list[GraphEdge]:
        return [e for e in self.edges if e.skip]

    def node(self, name: str) -> GraphNode:
        return next(n for n in self.nodes if n.name == name)

    def children(self, index: int) -> list[int]:
        return [e.target for e in self.edges if e.source == index]

    def n_paths(self) -> int:
        """How many distinct input-to-output paths the graph has (Veit et al.'s "ensemble"
        count: a chain has 1, each residual block doubles it)."""
        paths = [0] * len(self.nodes)
        for node in self.nodes:  # nodes are in topological order
            paths[node.index] = 1 if not node.parents else sum(paths[p] for p in node.parents)
        sinks = [n.index for n in self.nodes if not self.children(n.index)]
        return int(sum(paths[s] for s in sinks))


def format_shape(shape) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


# ---- introspection --------------------------------------------------------------------------

def _count(weights) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


def _details(layer) -> str:
    config = {}
    try:
        config = layer.get_config()
    except Exception:  # noqa: BLE001 - a layer without a config still gets drawn
        pass
    parts = []
    for key in ("units", "filters", "kernel_size", "pool_size", "size", "rate", "axis", "activation"):
        if key in config and config[key] not in (None, "linear"):
            parts.append(f"{key}={config[key]}")
    return ", ".join(parts)


def _shape_of(tensor) -> tuple | None:
    shape = getattr(tensor, "shape", None)
    return None if shape is None else tuple(shape)


def model_graph(model) -> ModelGraph:
    """The layer graph of a Functional or Sequential Keras model (a subclassed model gets the
    chain of its `layers`, marked `inferred`, because its wiring lives in Python code)."""
    functional = model
    if getattr(model, "_functional", None) is not None:  # a built Sequential wraps a Functional
        functional = model._functional
    outputs = getattr(functional, "outputs", None)
    try:
        outputs = list(outputs) if outputs else []
    except (AttributeError, ValueError):
        outputs = []
    if outputs and all(hasattr(t, "_keras_history") for t in outputs):
        nodes = _walk(outputs)
        inferred = False
    else:
        nodes = _chain(model)
        inferred = True
    edges = [GraphEdge(p, n.index) for n in nodes for p in n.parents]
    graph = ModelGraph(model.name, nodes, edges, inferred)
    _levels(graph)
    _mark_skips(graph)
    return graph


def _walk(outputs) -> list[GraphNode]:
    """Depth-first from the outputs through `_keras_history`: one node per layer call."""
    nodes: list[GraphNode] = []
    seen: dict[tuple[int, int], int] = {}
    calls: dict[int, int] = {}

    def visit(tensor) -> int:
        layer, node_index, tensor_index = tensor._keras_history
        key = (id(layer), node_index)
        if key in seen:
            return seen[key]
        call = layer._inbound_nodes[node_index]
        parents = [visit(t) for t in call.input_tensors]
        calls[id(layer)] = calls.get(id(layer), 0) + 1
        name = layer.name if calls[id(layer)] == 1 else f"{layer.name}#{calls[id(layer)]}"
        outputs = call.output_tensors
        shape = _shape_of(outputs[tensor_index] if tensor_index < len(outputs) else outputs[0])
        node = GraphNode(len(nodes), name, type(layer).__name__, shape,
                         _count(layer.weights) if calls[id(layer)] == 1 else 0,
                         _count(layer.trainable_weights) if calls[id(layer)] == 1 else 0,
                         parents, details=_details(layer))
        seen[key] = node.index
        nodes.append(node)
        return node.index

    for tensor in outputs:
        visit(tensor)
    return nodes


def _chain(model) -> list[GraphNode]:
    nodes = []
    for i, layer in enumerate(model.layers):
        shape = None
        try:
            shape = _shape_of(layer.output)
        except (AttributeError, ValueError):
            pass
        nodes.append(GraphNode(i, layer.name, type(layer).__name__, shape, _count(layer.weights),
                               _count(layer.trainable_weights), [i - 1] if i else [],
                               details=_details(layer)))
    return nodes


def _levels(graph: ModelGraph) -> None:
    for node in graph.nodes:  # topological order: parents come first
        node.level = 0 if not node.parents else 1 + max(graph.nodes[p].level for p in node.parents)


def _longest(graph: ModelGraph, source: int) -> dict[int, int]:
    """Longest path length (in edges) from `source` to every node reachable from it."""
    dist = {source: 0}
    for node in graph.nodes[source + 1:]:
        reach = [dist[p] for p in node.parents if p in dist]
        if reach:
            dist[node.index] = 1 + max(reach)
    return dist


def _mark_skips(graph: ModelGraph) -> None:
    n_children = {n.index: len(graph.children(n.index)) for n in graph.nodes}
    edge_of = {(e.source, e.target): e for e in graph.edges}
    for merge in (n for n in graph.nodes if n.is_merge):
        for parent in merge.parents:
            # Follow the branch back while it is a plain chain, to the node where it forks.
            branch = [(parent, merge.index)]
            start = parent
            while (len(graph.nodes[start].parents) == 1 and n_children[start] == 1):
                previous = graph.nodes[start].parents[0]
                branch.append((previous, start))
                start = previous
            longest = _longest(graph, start).get(merge.index, 0)
            if len(branch) < longest:
                for source, target in branch:
                    edge_of[(source, target)].skip = True
                    if target != merge.index:
                        graph.nodes[target].on_skip = True
