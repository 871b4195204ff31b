"""The Training Lab through AppTest: controls -> config -> URL, run semantics, bad links."""

import re

import pytest

from core.config import FIELD, ExperimentConfig
from core.html_table import parse
from tests.app.conftest import LANGS, assert_clean, run_page

PAGE = "pages/lab.py"
FAST = {"data": "xor", "n": "200", "epochs": "25", "hidden": "4"}


def lab(lang="en", params=None):
    from tests.app.conftest import app

    at = app(PAGE)
    at.session_state["lang"] = lang
    for key, value in (params or {}).items():
        at.query_params[key] = value
    return at.run()


def url_config(at) -> ExperimentConfig:
    config, warnings = ExperimentConfig.from_query_params(dict(at.query_params))
    assert warnings == []
    return config


# (config field, new value for its widget, expected config value). The widget is the field's
# own (key "lab_" + field); `hidden` is drawn as a depth slider and a width slider.
CONTROLS = [
    ("dataset", "circle", "circle"),
    ("n_samples", 300, 300),
    ("noise", 0.25, 0.25),
    ("val_split", 0.3, 0.3),
    ("features", ["x1", "x2", "x1_x2"], ("x1", "x2", "x1_x2")),
    ("activation", "gelu", "gelu"),
    ("skip", True, True),
    ("batchnorm", True, True),
    ("dropout", 0.2, 0.2),
    ("l2", 1e-3, 1e-3),
    ("loss", "mse", "mse"),
    ("optimizer", "rmsprop", "rmsprop"),
    ("learning_rate", 0.3, 0.3),
    ("batch_size", 1, 1),
    ("epochs", 500, 500),
    ("seed", 7, 7),
    ("lr_schedule", "cosine", "cosine"),
    ("patience", 20, 20),
    ("target_loss", 0.01, 0.01),
    ("watch", True, True),
]
HIDDEN = [("slider", "lab_depth", 5, (4,) * 5), ("select_slider", "lab_width", 16, (16,))]
# The AppTest accessor for each kind of control in core.config.FIELDS.
ACCESSOR = {"dataset": "selectbox", "samples": "slider", "features": "multiselect", "loss": "selectbox"}


def test_every_field_has_a_control_test():
    assert {c[0] for c in CONTROLS} | {"hidden"} == set(FIELD)


@pytest.mark.parametrize("field, value, expected", CONTROLS, ids=[c[0] for c in CONTROLS])
def test_every_control_changes_the_config_and_url(field, value, expected):
    at = lab(params=FAST)
    before = url_config(at)
    control = FIELD[field].control
    getattr(at, ACCESSOR.get(control, control))(key="lab_" + field).set_value(value).run()
    assert_clean(at)
    after = url_config(at)
    assert getattr(after, field) == expected != getattr(before, field)


@pytest.mark.parametrize("kind, key, value, expected", HIDDEN, ids=[h[1] for h in HIDDEN])
def test_depth_and_width_change_the_hidden_layers(kind, key, value, expected):
    at = lab(params=FAST)
    before = url_config(at)
    getattr(at, kind)(key=key).set_value(value).run()
    assert_clean(at)
    assert url_config(at).hidden == expected != before.hidden


def test_per_layer_widths():
    at = lab(params=FAST)
    at.toggle(key="lab_per_layer").set_value(True).run()
    at.text_input(key="lab_widths").input("6,3,2").run()
    assert url_config(at).hidden == (6, 3, 2)
    at.text_input(key="lab_widths").input("6,x").run()
    assert_clean(at)
    assert at.error and "6,x" not in at.query_params.get("hidden", "")


def test_shared_url_restores_the_settings_and_language():
    params = {"data": "moons", "hidden": "6-6-6", "act": "tanh", "skip": "1", "opt": "nesterov", "lr": "0.03",
              "bs": "8", "epochs": "50", "seed": "3"}
    at = lab("ko", params)
    assert_clean(at)
    assert at.selectbox(key="lab_dataset").value == "moons"
    assert at.slider(key="lab_depth").value == 3 and at.selectbox(key="lab_activation").value == "tanh"
    assert at.toggle(key="lab_skip").value is True and at.select_slider(key="lab_batch_size").value == 8
    assert url_config(at) == ExperimentConfig(dataset="moons", hidden=(6, 6, 6), activation="tanh", skip=True,
                                              optimizer="nesterov", learning_rate=0.03, batch_size=8,
                                              epochs=50, seed=3)
    assert at.title[0].value == "학습 실험실"


@pytest.mark.parametrize("lang", LANGS)
def test_bad_url_falls_back_with_a_visible_warning(lang):
    at = lab(lang, {"data": "nope", "lr": "NaN", "hidden": "8," * 60, "act": "<script>"})
    assert_clean(at)
    assert len(at.warning) >= 3
    at.run()  # the URL is rewritten from the second run on (see lab_controls.write_url)
    config = url_config(at)
    assert config.dataset == "xor" and len(config.hidden) == 32


def test_train_then_continue_keeps_the_weights_then_reset():
    at = lab(params=FAST)
    at.button(key="lab_train").click().run()
    assert_clean(at)
    trainer = at.session_state["lab_trainer"]
    assert trainer.status == "finished" and trainer.epoch == 25
    loss_before = trainer.history[-1].train_loss
    at.button(key="lab_continue").click().run()
    trainer = at.session_state["lab_trainer"]
    assert trainer.epoch == 50 and trainer.history[25].epoch == 25
    assert trainer.history[26].train_loss < 1.5 * loss_before  # continues: no restart at the initial loss
    assert trainer.history[26].train_loss < 0.9 * trainer.history[0].train_loss
    assert len(at.session_state["lab_runs"]) == 1  # the same run, updated
    at.button(key="lab_reset").click().run()
    assert at.session_state["lab_trainer"] is None
    at.button(key="lab_step").click().run()
    assert at.session_state["lab_trainer"].epoch == 1
    at.button(key="lab_step").click().run()
    assert at.session_state["lab_trainer"].epoch == 2


def test_runs_are_compared_and_results_shown():
    at = lab(params=FAST)
    at.button(key="lab_train").click().run()
    at.selectbox(key="lab_activation").set_value("tanh").run()
    at.button(key="lab_train").click().run()
    assert_clean(at)
    assert len(at.session_state["lab_runs"]) == 2
    (compared,) = [md.value for md in at.markdown if 'data-table="lab_compare_table"' in md.value]
    (table,) = parse(compared)
    assert table.iloc[:, 0].tolist() == ["#1", "#2"]
    marked = re.findall(r'<th scope="col" class="marked">([^<]*)</th>', compared)
    assert len(marked) == 1 and {"relu", "tanh"} <= set(table[marked[0]])  # only the activation differs
    assert any("validation set" in m.value.lower() for m in at.markdown)  # confusion-matrix sentence
    at.toggle(key="lab_tsne").set_value(True).run()
    assert_clean(at)


def test_diverging_run_shows_diverged_and_the_app_stays_usable():
    at = lab(params={"data": "diabetes", "n": "442", "hidden": "32-32-32-32-32-32", "loss": "mse", "opt": "sgd",
                     "lr": "10", "epochs": "40"})
    at.button(key="lab_train").click().run()
    assert_clean(at)
    assert at.session_state["lab_trainer"].status == "diverged"
    assert at.error and "Diverged" in at.error[0].value
    at.button(key="lab_continue").click().run()  # nothing to continue: a message, no exception
    assert_clean(at)
    at.select_slider(key="lab_learning_rate").set_value(0.001).run()
    at.button(key="lab_train").click().run()
    assert at.session_state["lab_trainer"].status == "finished"


def test_tabular_and_regression_pages_render():
    at = lab(params={"data": "wine", "hidden": "5", "epochs": "30"})
    at.button(key="lab_train").click().run()
    assert_clean(at)
    at = lab(params={"data": "plane", "hidden": "4", "epochs": "20", "loss": "huber"})
    at.button(key="lab_train").click().run()
    assert_clean(at)
    assert any(m.label == "R²" for m in at.metric)


@pytest.mark.parametrize("lang", LANGS)
def test_switching_data_sets_keeps_the_controls_valid(lang):
    """wine -> circle used to leave no input feature, 20 samples and Train disabled;
    wine -> diabetes kept 178 of 442 rows."""
    at = lab(lang, {"data": "circle", "feat": "x1-x2-x1_x2", "n": "300", "epochs": "25"})
    at.selectbox(key="lab_dataset").set_value("wine").run()
    assert_clean(at)
    assert url_config(at).n_samples == 178 and not at.error
    assert any("300" in i.value and "178" in i.value for i in at.info)  # the learner's 300: said so
    at.selectbox(key="lab_dataset").set_value("circle").run()
    assert_clean(at)
    config = url_config(at)
    assert config.features == ("x1", "x2", "x1_x2") and config.n_samples == 500  # inputs come back
    assert not at.error and not at.button(key="lab_train").disabled and not at.button(key="lab_step").disabled
    at.selectbox(key="lab_dataset").set_value("wine").run()
    at.selectbox(key="lab_dataset").set_value("diabetes").run()
    assert_clean(at)
    config = url_config(at)
    assert config.n_samples == 442 and config.loss == "mse"
    assert at.slider(key="lab_n_samples").value == 442


def test_switching_task_kind_resets_the_loss():
    config = ExperimentConfig(dataset="plane", loss="mae").with_dataset("wine")
    assert config.loss == "sparse_categorical_crossentropy"
    config = ExperimentConfig(dataset="plane", loss="mse").with_dataset("wine")
    assert config.loss == "sparse_categorical_crossentropy"  # MSE of a regression is not a choice for classes
    assert ExperimentConfig(loss="mse").with_dataset("circle").loss == "mse"  # kept: still classes
    assert ExperimentConfig(dataset="wine").with_dataset("circle").n_samples == 500


@pytest.mark.parametrize("lang", LANGS)
def test_changing_the_optimizer_offers_its_default_learning_rate(lang):
    from core.optimizers import OPTIMIZERS

    at = lab(lang, params=FAST)
    assert not _has_button(at, "lab_use_default_lr")  # nothing changed: nothing offered
    at.selectbox(key="lab_optimizer").set_value("sgd").run()
    assert_clean(at)
    offer = at.button(key="lab_use_default_lr")
    assert "0.1" in offer.label and "SGD" in offer.label
    offer.click().run()
    assert url_config(at).learning_rate == OPTIMIZERS["sgd"].default_lr
    assert not _has_button(at, "lab_use_default_lr")  # applied: the offer is gone


def _has_button(at, key) -> bool:
    return any(b.key == key for b in at.button)


def _upload_csv(rows):
    return ("a,b,c,y\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


def test_a_second_upload_of_the_same_file_name_is_its_own_choice_and_sets_the_loss():
    """The box sends back the chosen label: two uploads labelled "data.csv → y" could not be
    told apart, so the box and the trained data disagreed; and MSE stayed after a regression
    upload was followed by a multiclass one."""
    import numpy as np

    from core.datasets import register_csv
    from ui.lab_controls import unique_label

    rng = np.random.default_rng(0)
    regression = _upload_csv([(i, i % 7, i % 5, round(float(rng.normal()), 3)) for i in range(40)])
    classes = _upload_csv([(i, i % 7, i % 5, ["ash", "birch", "cedar"][i % 3]) for i in range(40)])
    at = lab(params={"epochs": "5", "hidden": "4"})
    uploads = {}
    for content, task_loss in ((regression, "mse"), (classes, "sparse_categorical_crossentropy")):
        name, _ = register_csv(content, "y", label="data.csv")
        uploads[name] = unique_label(uploads, name, "data.csv → y")
        at.session_state["lab_uploads"] = dict(uploads)
        at.session_state["lab_pending_dataset"] = name
        at.run()
        assert_clean(at)
        box = at.selectbox(key="lab_dataset")
        assert len(set(box.options)) == len(box.options)  # every choice can be sent back
        assert box.value == name == url_config(at).dataset and url_config(at).loss == task_loss
    at.button(key="lab_train").click().run()
    assert at.session_state["lab_trainer"].config.dataset == name
    assert at.session_state["lab_trainer"].data.n_classes == 3


def test_an_upload_with_two_numeric_features_gets_a_decision_boundary():
    import numpy as np

    from core.datasets import register_csv

    rng = np.random.default_rng(2)
    points = rng.normal(size=(80, 2))
    rows = "".join(f"{a:.4f},{b:.4f},{'in' if a * a + b * b < 1 else 'out'}\n" for a, b in points)
    name, _ = register_csv(("u,v,where\n" + rows).encode(), "where", label="ring.csv")
    at = lab(params={"epochs": "5", "hidden": "4"})
    at.session_state["lab_uploads"] = {name: "ring.csv → where"}
    at.session_state["lab_pending_dataset"] = name
    at.run()
    at.multiselect(key="lab_features").set_value(["x1", "x2", "x1_sq", "x2_sq"]).run()
    assert_clean(at)
    assert url_config(at).features == ("x1", "x2", "x1_sq", "x2_sq")
    at.button(key="lab_train").click().run()
    assert_clean(at)
    trainer = at.session_state["lab_trainer"]
    assert trainer.grid_axes is not None and trainer.history[-1].snapshot.boundary is not None


def test_the_shown_architecture_is_traced_before_train_and_a_changed_one_too(monkeypatch):
    """While the learner reads the page, the Lab builds and traces the architecture on screen
    (ui.fair_training.prepare_ahead): Train then trains at once, with no chunk paying a trace."""
    import time

    from core.training import ahead

    monkeypatch.setattr(ahead, "_prepared", [0])  # other tests in this process prepared some

    def prepared():
        deadline = time.monotonic() + 60
        while ahead.pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not ahead.pending()

    at = lab(params={**FAST, "hidden": "7-5", "act": "tanh", "bn": "1"})
    prepared()
    at.button(key="lab_train").click().run()
    assert_clean(at)
    trainer = at.session_state["lab_trainer"]
    assert trainer.status == "finished" and trainer.compile_seconds is None
    at.select_slider(key="lab_batch_size").set_value(16).run()  # a new graph: prepared too
    assert trainer.config != url_config(at)
    prepared()
    at.button(key="lab_train").click().run()
    assert at.session_state["lab_trainer"] is not trainer
    assert at.session_state["lab_trainer"].compile_seconds is None


@pytest.mark.parametrize("lang", LANGS)
def test_the_code_tab_shows_the_generated_script_highlighted_on_the_server(lang):
    """The script is on the first screen's Code tab as server-made HTML, exactly the generated
    one, and no st.code (its 1.5 MB highlighter held the Lab's first visit back)."""
    from core import codegen
    from tests.app.conftest import shown_code

    at = lab(lang, FAST)
    assert_clean(at)
    config = url_config(at)
    assert shown_code(at) == [codegen.generate_script(config)]
    assert len(at.code) == 0
    _let_the_preparation_end()


def _let_the_preparation_end() -> None:
    """The page prepares its architecture in the background (ui.fair_training.prepare_ahead);
    a process that exits while TensorFlow traces it aborts."""
    import time

    from core.training import ahead

    deadline = time.monotonic() + 60
    while ahead.pending() and time.monotonic() < deadline:
        time.sleep(0.05)
