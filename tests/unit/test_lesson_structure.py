"""Model structure: the graph read from real Keras models, parameter counts against closed
forms, rank and dimension of real tensors, and three ways of writing the same model."""

import math

import numpy as np
import pytest

from core.lessons import structure as lesson
from core.charts.graph import graph_figure
from core.model_graph import format_shape, model_graph

keras = pytest.importorskip("keras")

from core.models import build_model  # noqa: E402


# ---- widths parsing -------------------------------------------------------------------------

@pytest.mark.parametrize("text, widths", [("5", (5,)), ("16, 8", (16, 8)), (" 3;4 ,", (3, 4))])
def test_parse_widths(text, widths):
    assert lesson.parse_widths(text) == widths


@pytest.mark.parametrize("text, key", [("", "empty"), ("a", "not_a_number"), ("0", "out_of_range"),
                                       ("257", "out_of_range"), ("1,1,1,1,1,1,1", "too_many")])
def test_parse_widths_refuses_with_a_message_key(text, key):
    with pytest.raises(lesson.WidthsError) as err:
        lesson.parse_widths(text)
    assert err.value.key == key


# ---- the graph and the parameter table ------------------------------------------------------

CONFIGS = [
    lesson.structure_config("wine", (5,)),
    lesson.structure_config("digits", (16, 8), skip=True),
    lesson.structure_config("breast_cancer", (4, 4, 6), skip=True, batchnorm=True),
    lesson.structure_config("diabetes", (7,), batchnorm=True),
]


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c.dataset}-{c.hidden}-{c.skip}-{c.batchnorm}")
def test_parameters_by_hand_match_keras_and_the_closed_form(config):
    model = build_model(config)
    rows = lesson.layer_rows(model)
    assert [r.params for r in rows] == [r.by_hand for r in rows]
    # Three independent counts agree: Keras, our table, and the config's TF-free formula.
    assert sum(r.by_hand for r in rows) == model.count_params() == config.count_params()


def test_wine_13_to_5_is_the_lecture_example():
    rows = {r.name: r for r in lesson.layer_rows(build_model(lesson.structure_config("wine", (5,))))}
    assert rows["inputs"].output_shape == "(None, 13)"
    assert rows["hidden_1"].output_shape == "(None, 5)"
    assert rows["hidden_1"].params == (13 + 1) * 5
    assert rows["output"].params == (5 + 1) * 3


def test_graph_matches_the_keras_model():
    config = lesson.structure_config("digits", (16, 8, 8), skip=True)
    model = build_model(config)
    graph = model_graph(model)
    assert {n.name for n in graph.nodes} == {layer.name for layer in model.layers}
    for node in graph.nodes:
        assert node.output_shape == tuple(model.get_layer(node.name).output.shape)
        assert node.params == model.get_layer(node.name).count_params()
    # Every edge follows a real inbound connection: residual_2 adds shortcut_2 and activation_2.
    parents = {graph.nodes[p].name for p in graph.node("residual_2").parents}
    assert parents == {"shortcut_2", "activation_2"}
    # Skips: the 64 -> 16 and 16 -> 8 projections are skip branches, block 3's Add is a plain skip.
    skip_edges = {(graph.nodes[e.source].name, graph.nodes[e.target].name) for e in graph.skip_edges}
    assert ("residual_2", "residual_3") in skip_edges
    assert ("shortcut_1", "residual_1") in skip_edges and graph.node("shortcut_1").on_skip
    assert not any(e.skip for e in graph.edges if graph.nodes[e.target].name.startswith("hidden_"))
    assert graph.n_paths() == 2 ** 3


def test_plain_chain_has_one_path_and_no_skips():
    graph = model_graph(build_model(lesson.structure_config("wine", (5, 4))))
    assert graph.n_paths() == 1 and not graph.skip_edges
    assert [n.level for n in graph.nodes] == list(range(len(graph.nodes)))


def test_sequential_graph_is_read_through_its_functional_core():
    config = lesson.structure_config("wine", (5, 4))
    seq, fun = model_graph(lesson.build_sequential(config)), model_graph(build_model(config))
    assert not seq.inferred
    assert [(n.name, n.output_shape, n.params) for n in seq.nodes] == \
        [(n.name, n.output_shape, n.params) for n in fun.nodes]


def test_graph_figure_draws_every_layer_and_the_skips():
    graph = model_graph(build_model(lesson.structure_config("wine", (5, 5, 5), skip=True)))
    for orientation in ("LR", "TB"):
        fig = graph_figure(graph, orientation=orientation, show_vectors=True)
        text = fig.data[[t.mode for t in fig.data].index("text")].text
        assert len(text) == len(graph.nodes)
        assert all(f"<b>{n.name}</b>" in t for n, t in zip(graph.nodes, text))
        skip_lines = [t for t in fig.data
                      if t.mode == "lines" and t.line.color == "#D55E00" and t.x[0] is not None]
        # Block 1's projection branch (inputs -> shortcut_1 -> residual_1) is two skip edges,
        # blocks 2 and 3 add their input directly: one each.
        assert len(skip_lines) == len(graph.skip_edges) == 4


def test_format_shape():
    assert format_shape((None, 8, 8, 1)) == "(None, 8, 8, 1)"
    assert format_shape(None) == "?"


def test_shape_trace_measures_real_batches():
    config = lesson.structure_config("wine", (5,))
    model = build_model(config)
    x, _ = lesson.sample_batch("wine", 7)
    trace = dict(lesson.shape_trace(model, x))
    assert trace == {"inputs": (7, 13), "hidden_1": (7, 5), "activation_1": (7, 5), "output": (7, 3)}


def test_built_model_holds_what_the_keras_model_says_and_no_keras_object():
    """The page's first section reads these plain facts (shipped, TensorFlow-free) instead of the model."""
    import pickle
    import pickletools

    from core.lessons import structure_built

    config = lesson.structure_config("wine", (16, 5), skip=True)
    facts = structure_built.built_model(config)
    model = build_model(config)
    assert facts.graph == model_graph(model) and facts.rows == lesson.layer_rows(model)
    assert facts.params == model.count_params() == sum(r.by_hand for r in facts.rows)
    assert facts.rank == lesson.kernel_rank(model) == 13  # 16 units on 13 inputs span 13 dimensions
    assert facts.shapes["hidden_2"] == (8, 5) and facts.shapes["output"] == (8, 3)
    classes = {arg.split()[0] for op, arg, _ in pickletools.genops(pickle.dumps(facts, protocol=2))
               if op.name == "GLOBAL"}  # the modules of every class the pickle refers to
    assert classes and not any(m.split(".")[0] in ("keras", "tensorflow") for m in classes), classes


# ---- rank vs dimension ----------------------------------------------------------------------

@pytest.mark.parametrize("kind", lesson.TENSOR_KINDS)
@pytest.mark.parametrize("flatten", [False, True])
def test_rank_and_dimension_of_real_tensors(kind, flatten):
    facts = lesson.tensor_example(kind, batch=5, flatten=flatten, seq_len=6, embed_dim=3)
    assert facts.rank == len(facts.shape) == len(facts.axes)
    per_example = facts.shape[1:] if facts.batch_axis else facts.shape
    assert facts.dimension == math.prod(per_example) == np.asarray(facts.example).size
    assert facts.numbers == math.prod(facts.shape)
    expected = {"vector": 13, "batch": 13, "images": 64, "tokens": 6, "embedded": 18}[kind]
    assert facts.dimension == expected
    assert facts.n_examples == (1 if kind == "vector" else 5)


@pytest.mark.parametrize("kind, rank", [("images", 4), ("embedded", 3)])
def test_flatten_changes_rank_not_dimension(kind, rank):
    kept = lesson.tensor_example(kind, batch=4)
    flat = lesson.tensor_example(kind, batch=4, flatten=True)
    assert (kept.rank, flat.rank) == (rank, 2)
    assert kept.dimension == flat.dimension and kept.numbers == flat.numbers and flat.flattened
    np.testing.assert_array_equal(np.asarray(kept.example).reshape(-1), flat.example)


# ---- three ways to write the same model -----------------------------------------------------

def _numpy_mlp(model, x):
    """An independent forward pass: relu hidden layers, softmax output, weights from Keras."""
    weights = model.get_weights()
    h = np.asarray(x, float)
    for kernel, bias in zip(weights[0:-2:2], weights[1:-2:2]):
        h = np.maximum(h @ kernel + bias, 0.0)
    logits = h @ weights[-2] + weights[-1]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_three_styles_are_the_same_model():
    config = lesson.structure_config("wine", (6, 4))
    x, _ = lesson.sample_batch("wine", 10)
    three = lesson.three_ways(config, x)
    assert {s.params for s in three.styles} == {config.count_params()}
    for style in three.styles:
        assert style.max_weight_diff == 0.0
        assert style.max_output_diff < 1e-6
    functional = build_model(config)
    np.testing.assert_allclose(three.by_style("subclassed").output, _numpy_mlp(functional, x), atol=1e-5)


def test_kwargs_are_packed_and_unpacked_into_keras_model():
    config = lesson.structure_config("wine", (5,))
    x, _ = lesson.sample_batch("wine", 4)
    three = lesson.three_ways(config, x, name="packed_mlp", trainable=False)
    assert three.received_kwargs == {"name": "packed_mlp", "trainable": False}
    assert three.subclass_name == "packed_mlp" and three.subclass_trainable is False
    sub = three.by_style("subclassed")
    assert (sub.params, sub.trainable_params) == (88, 0)


def test_skips_are_left_out_of_the_three_ways():
    config = lesson.structure_config("wine", (5, 3), skip=True, batchnorm=True)
    x, _ = lesson.sample_batch("wine", 4)
    three = lesson.three_ways(config, x)
    assert {s.params for s in three.styles} == {config.replace(skip=False, batchnorm=False).count_params()}


# ---- what the hidden layer does -------------------------------------------------------------

def test_centroid_accuracy_against_simple_cases():
    labels = np.repeat([0, 1, 2], 20)
    separated = np.eye(3)[labels] * 10 + np.random.default_rng(0).normal(0, 0.1, (60, 3))
    assert lesson.centroid_accuracy(separated, labels) == 1.0
    # Features that carry no class information: about chance, never perfect.
    noise = np.random.default_rng(1).normal(0, 1, (60, 3))
    assert lesson.centroid_accuracy(noise, labels) < 0.8


def test_wine_fits_to_100_percent_and_hidden_space_separates_classes():
    run = lesson.train_structure(lesson.structure_config("wine", (5,)))
    assert run.final_train == 1.0 and run.first_perfect_epoch is not None
    assert [h.shape for h in run.hidden] == [(178, 5)]
    assert run.inputs.shape == (178, 13)
    assert np.all(np.diff(run.labels) >= 0)  # grouped by class for the heatmap
    assert run.centroid_hidden[0] >= run.centroid_input


def test_matrix_example_has_the_rank_it_was_built_with():
    from core.lessons import structure_rank

    m = structure_rank.matrix_example(5, 3, 2, seed=1)
    assert m.matrix.shape == (5, 3) and m.tf_rank == 2 and m.matrix_rank == 2 and m.lost == 1
    assert structure_rank.matrix_example(2, 2, 9).directions == 2  # clamped to min(rows, cols)
    with pytest.raises(ValueError):
        structure_rank.matrix_example(0, 3, 1)


def test_tensor_example_is_still_importable_from_the_structure_lesson():
    from core.lessons import structure_rank

    assert lesson.tensor_example is structure_rank.tensor_example
