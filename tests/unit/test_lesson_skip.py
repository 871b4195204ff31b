"""Parallel branches, block deletion in residual vs plain nets, and the U-Net: checked against
Keras itself (the error it raises, its own forward pass with hand-set weights) and NumPy."""

import numpy as np
import pytest

from core.lessons import skip as lesson
from core.model_graph import model_graph
from core.lessons.structure import sample_batch

keras = pytest.importorskip("keras")

from core.models import build_model  # noqa: E402

X, _ = sample_batch("wine", 6)


# ---- Add vs Concatenate ---------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [(4, 6), (1, 12), (5, 5)])
def test_concatenate_width_is_the_sum_and_copies_both_branches(a, b):
    result = lesson.two_branches(a, b, "concatenate", X)
    assert result.error is None and result.merged_width == a + b
    np.testing.assert_array_equal(result.merged, np.concatenate([result.H, result.H1], axis=1))
    assert result.params == (13 + 1) * a + (13 + 1) * b + (a + b + 1) * 3


def test_add_sums_equal_widths():
    result = lesson.two_branches(5, 5, "add", X)
    assert result.error is None and result.merged_width == 5
    np.testing.assert_allclose(result.merged, result.H + result.H1, atol=1e-6)


@pytest.mark.parametrize("a, b", [(4, 6), (3, 2)])
def test_add_refuses_different_widths_with_keras_own_error(a, b):
    with pytest.raises(ValueError, match="incompatible shapes"):
        lesson.build_two_branch(13, a, b, "add")
    result = lesson.two_branches(a, b, "add", X)
    assert result.graph is None and result.merged is None
    assert "incompatible shapes" in result.error and f"({a},)" in result.error and f"({b},)" in result.error


def test_two_branches_are_parallel_not_skips():
    graph = model_graph(lesson.build_two_branch(13, 4, 6, "concatenate"))
    assert graph.n_paths() == 2 and not graph.skip_edges
    assert {graph.nodes[p].name for p in graph.node("concatenate").parents} == {"H", "H1"}


# ---- deleting blocks ------------------------------------------------------------------------

@pytest.mark.parametrize("skip", [False, True])
def test_lesioned_forward_with_nothing_deleted_is_the_keras_model(skip):
    config = lesson.lesion_config(depth=4, width=16, skip=skip, epochs=1)
    model = build_model(config)
    x, _ = sample_batch("digits", 20)
    np.testing.assert_allclose(lesson.lesioned_forward(model, config, x),
                               np.asarray(model(x, training=False)), atol=1e-5)


def test_deleting_a_residual_block_equals_a_branch_that_outputs_zero():
    """Oracle: Keras' own forward pass after making block 3's branch output exactly 0
    (zero kernel, negative bias, so ReLU gives 0): only the shortcut is left."""
    config = lesson.lesion_config(depth=4, width=16, skip=True, epochs=1)
    model = build_model(config)
    x, _ = sample_batch("digits", 20)
    expected = lesson.lesioned_forward(model, config, x, deleted=(3,))
    layer = model.get_layer("hidden_3")
    kernel, bias = layer.get_weights()
    layer.set_weights([np.zeros_like(kernel), -np.ones_like(bias)])
    np.testing.assert_allclose(expected, np.asarray(model(x, training=False)), atol=1e-5)


def test_deleting_a_plain_block_equals_an_identity_layer():
    """Oracle: block 2 set to the identity (kernel I, bias 0) is ReLU(h) = h, because h is
    itself a ReLU output and never negative."""
    config = lesson.lesion_config(depth=4, width=16, skip=False, epochs=1)
    model = build_model(config)
    x, _ = sample_batch("digits", 20)
    expected = lesson.lesioned_forward(model, config, x, deleted=(2,))
    layer = model.get_layer("hidden_2")
    layer.set_weights([np.eye(16, dtype="float32"), np.zeros(16, "float32")])
    np.testing.assert_allclose(expected, np.asarray(model(x, training=False)), atol=1e-5)


def test_residual_net_survives_block_deletion_and_plain_net_does_not():
    result = lesson.lesion_experiment(depth=4, width=32, epochs=10, seed=0)
    plain, residual = result.nets
    assert result.blocks == [2, 3, 4]
    # Both learn the digits when intact ...
    assert plain.base_accuracy > 0.85 and residual.base_accuracy > 0.85
    # ... but deleting one block (averaged over blocks) breaks only the plain net.
    assert residual.mean_deleted > plain.mean_deleted + 0.3
    assert residual.mean_deleted > residual.base_accuracy - 0.15
    # The ensemble count, read from the Keras graphs: 2^depth paths vs one.
    assert (residual.n_paths, plain.n_paths) == (2 ** 4, 1)
    # Deleting more blocks degrades the residual net gradually (mean over subsets).
    means = [c[1] for c in residual.by_count]
    assert means[0] == residual.base_accuracy and means[-1] < means[0]
    assert residual.keras_gap < 1e-5 and plain.keras_gap < 1e-5
    # A result holds weights and the graph, not a Keras model: the rebuilt net is the trained one.
    x, _ = sample_batch("digits", 200)
    for net in result.nets:
        rebuilt = net.keras_model()
        assert model_graph(rebuilt) == net.graph
        np.testing.assert_allclose(lesson.lesioned_forward(rebuilt, net.config, x),
                                   np.asarray(rebuilt(x, training=False)), atol=1e-5)
        assert all(np.array_equal(a, b) for a, b in zip(rebuilt.get_weights(), net.weights))


# ---- U-Net ----------------------------------------------------------------------------------

def test_unet_shapes_skips_and_parameter_counts():
    models = {m: lesson.build_unet(m) for m in lesson.UNET_MERGES}
    for merge, model in models.items():
        assert tuple(model.output.shape) == (None, 8, 8, 1)
        assert len(model_graph(model).skip_edges) == (0 if merge == "none" else 2)
    # Add keeps the channel counts, so its parameters equal the plain net's; Concatenate
    # doubles the channels entering dec_1 (16 -> 32) and clean (8 -> 16): 3x3 kernels.
    assert models["add"].count_params() == models["none"].count_params()
    extra = 3 * 3 * 16 * 8 + 3 * 3 * 8 * 1
    assert models["concatenate"].count_params() == models["none"].count_params() + extra


def test_unet_skips_denoise_better_than_a_plain_encoder_decoder():
    plain = lesson.train_unet("none", epochs=4)
    skip = lesson.train_unet("concatenate", epochs=4)
    assert skip.val_mse < 0.8 * plain.val_mse and skip.val_mse < 0.6 * skip.noisy_mse
    assert skip.denoised.shape == skip.clean.shape == (6, 8, 8)
    # The result keeps weights and graph; the U-Net rebuilt from them denoises as the trained one did.
    rebuilt = skip.keras_model()
    assert model_graph(rebuilt) == skip.graph and len(skip.graph.skip_edges) == 2
    np.testing.assert_allclose(np.asarray(rebuilt(skip.noisy[..., None], training=False))[..., 0],
                               skip.denoised, atol=1e-6)
