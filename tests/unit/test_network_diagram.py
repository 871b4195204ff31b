"""The network diagram's numbers agree with the model (issue #14).

Oracle for the pictures: Keras itself, a sub-model `keras.Model(model.input, layer.output)`
evaluated eagerly on the grid points, not the Trainer's traced function. Links: the width and
colour drawn for a link follow the kernel entry read from the layer's own variable."""

import re

import numpy as np
import pytest

from core.charts import network as charts
from core.config import ExperimentConfig
from core.network import PICTURE_GRID, SHOWN, NetworkState
from core.training.records import make_grid

CONFIGS = [ExperimentConfig(hidden=(8, 8), epochs=5),
           ExperimentConfig(hidden=(12, 4), activation="tanh", skip=True, batchnorm=True, dropout=0.2, epochs=5)]


def trained(config):
    from core.training import Trainer

    trainer = Trainer(config, reuse=False, use_xla=False)
    for _ in trainer.run():
        pass
    return trainer


@pytest.mark.parametrize("config", CONFIGS, ids=["plain", "skip-bn-dropout"])
def test_pictures_and_weights_equal_keras_own_outputs(config):
    import keras

    trainer = trained(config)
    state = trainer.history[-1].snapshot.network
    grid = make_grid(trainer.data, PICTURE_GRID, config.features)["inputs"].astype("float32")  # (g², 2)
    names = [f"activation_{i}" for i in range(1, len(config.hidden) + 1)] + ["output"]

    def check(model):
        for column, name in enumerate(names, start=1):
            oracle = keras.Model(model.input, model.get_layer(name).output)(grid, training=False)
            oracle = np.asarray(oracle)[:, :SHOWN].T.reshape(-1, PICTURE_GRID, PICTURE_GRID)  # (shown, g, g)
            np.testing.assert_allclose(state.pictures[column], oracle, rtol=1e-4, atol=1e-5)
        dense = [f"hidden_{i}" for i in range(1, len(config.hidden) + 1)] + ["output"]
        for k, name in enumerate(dense):
            kernel = np.asarray(model.get_layer(name).kernel)
            np.testing.assert_array_equal(state.kernels[k], kernel[:, :SHOWN])
            np.testing.assert_array_equal(state.biases[k], np.asarray(model.get_layer(name).bias)[:SHOWN])

    trainer.with_model(check)
    # The input column's pictures are the inputs themselves.
    np.testing.assert_array_equal(state.pictures[0][0], grid[:, 0].reshape(PICTURE_GRID, PICTURE_GRID))


def test_links_follow_the_kernel_entries():
    trainer = trained(CONFIGS[0])
    state = trainer.history[-1].snapshot.network
    svg = charts.diagram(state, task=trainer.task, titles=["in", "1", "2", "out"], input_names=["x1", "x2"])
    style = dict(re.findall(r"line\.([pnz])\{stroke:(#[0-9a-fA-F]+)", svg))  # class -> colour
    assert "stroke-dasharray" in re.search(r"line\.n\{[^}]*\}", svg).group(0)  # negative: dashed too
    links = dict((m.group(1), (style[m.group(2)], float(m.group(3)))) for m in re.finditer(
        r'data-link="([0-9-]+)" class="([pnz])"[^>]*stroke-width="([0-9.]+)"', svg))
    assert len(links) == 2 * 8 + 8 * 8 + 8 * 1
    for layer, kernel in enumerate(state.kernels):
        largest = np.abs(kernel[:SHOWN, :SHOWN]).max()
        for (i, j), w in np.ndenumerate(kernel[:SHOWN, :SHOWN]):
            colour, width = links[f"{layer}-{i}-{j}"]
            assert colour == charts.link_colour(w) == (charts.POSITIVE if w > 0 else charts.NEGATIVE)
            expected = charts.MIN_LINK_WIDTH + (charts.MAX_LINK_WIDTH - charts.MIN_LINK_WIDTH) * abs(w) / largest
            assert width == pytest.approx(expected, abs=0.01)
    # The largest weight of each layer is drawn at the full width.
    assert max(w for _, w in links.values()) == pytest.approx(charts.MAX_LINK_WIDTH)
    assert any(colour == charts.NEGATIVE for colour, _ in links.values())


def test_skip_batchnorm_and_dropout_are_drawn():
    trainer = trained(CONFIGS[1])
    config = CONFIGS[1]
    svg = charts.diagram(trainer.history[-1].snapshot.network, task=trainer.task, titles=["in", "1", "2", "out"],
                         input_names=["x1", "x2"], skip=True, batchnorm=True, dropout=0.2)
    assert len(re.findall(r"data-skip=", svg)) == len(config.hidden)
    assert len(re.findall(r'data-badge="BN"', svg)) == len(config.hidden)
    assert len(re.findall(r'data-badge="D0"', svg)) == len(config.hidden)
    assert "+4" in svg  # the 12-wide layer shows 8 neurons and the rest as a number


def test_formula_has_the_neurons_numbers():
    kernel = np.array([[0.5, -2.0], [-1.25, 3.0]], "float32")  # (inputs, neurons)
    state = NetworkState([2, 2, 1], [kernel, np.ones((2, 1), "float32")], [np.array([0.1, -0.2], "float32"),
                                                                            np.zeros(1, "float32")])
    assert charts.formula(state, 1, 0, "relu", ["x₁", "x₂"]) == "a = relu(0.5·x₁ − 1.25·x₂ + 0.1)"
    assert charts.formula(state, 1, 1, "tanh", ["x₁", "x₂"], batchnorm=True) == "a = tanh(BN(−2·x₁ + 3·x₂ − 0.2))"


def test_a_32_by_256_net_gives_a_bounded_diagram():
    rng = np.random.default_rng(0)
    widths = [2] + [256] * 32 + [1]
    kernels = [rng.normal(size=(a, min(b, SHOWN))).astype("float32") for a, b in zip(widths[:-1], widths[1:])]
    biases = [rng.normal(size=k.shape[1]).astype("float32") for k in kernels]
    pictures = [rng.normal(size=(min(w, SHOWN), PICTURE_GRID, PICTURE_GRID)).astype("float32") for w in widths]
    state = NetworkState(widths, kernels, biases, pictures)
    titles = ["in", *map(str, range(1, 33)), "out"]
    svg = charts.diagram(state, task="binary", titles=titles, input_names=["x1", "x2"], skip=True, batchnorm=True,
                         dropout=0.1, scale=1.5, height=460, tooltips=True)
    assert svg.count("<use") == sum(min(w, SHOWN) for w in widths)  # 8 pictures a layer, not 256
    assert svg.count("<image") == 1  # all of them in one image
    assert svg.count("<line") == 2 * 8 + 31 * 8 * 8 + 8
    assert svg.count("+248") == 32
    assert len(svg) < 600_000  # bytes of one frame
    width = float(re.search(r'<svg[^>]* width="([0-9.]+)"', svg).group(1))
    assert width < 34 * 200  # a fixed pitch per column: the box scrolls, the page does not
