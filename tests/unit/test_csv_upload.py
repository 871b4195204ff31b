"""Uploaded CSV files: separators, refusals with a clear message, and links to a gone upload."""

import numpy as np
import pytest

from core.config import ExperimentConfig
from core.datasets import DataError, parse_csv, register_csv


def _csv(header, rows, sep=","):
    return (sep.join(header) + "\n" + "".join(sep.join(map(str, r)) + "\n" for r in rows)).encode()


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separators_are_found(sep):
    rng = np.random.default_rng(0)
    rows = [(f"{a:.3f}", f"{b:.3f}", int(a > b)) for a, b in rng.normal(size=(30, 2))]
    columns, summary = parse_csv(_csv(("value", "v2", "label"), rows, sep), "label")
    assert columns == ["value", "v2", "label"] and summary["rows"] == 30


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_one_column_is_refused_with_its_name_not_split_on_a_letter(lang):
    """The sniffer used to split "value" on its "v" and then report 0 complete rows."""
    with pytest.raises(DataError) as err:
        parse_csv(_csv(("value",), [(i,) for i in range(20)]))
    assert err.value.key == "too_few_columns" and "value" in err.value.text(lang)


@pytest.mark.parametrize("big", ["1e308", "-1e308", "inf", "3e40"])
def test_huge_values_are_refused_at_upload_naming_the_data(big):
    rows = [(big if i == 3 else i, i % 2) for i in range(30)]
    with pytest.raises(DataError) as err:
        parse_csv(_csv(("x", "y"), rows))  # on arrival, before a target is chosen
    assert err.value.key == "too_large_values"
    assert "not the learning rate" in err.value.text("en") and "학습률" in err.value.text("ko")
    with pytest.raises(DataError):  # a huge regression target too
        parse_csv(_csv(("x", "y"), [(i, big if i == 5 else i * 0.5) for i in range(30)]), "y")


def test_ordinary_large_values_are_accepted():
    rows = [(i * 1e9, (i * 7919) % 1000 * 1e6) for i in range(30)]
    assert parse_csv(_csv(("x", "y"), rows), "y")[1]["task"] == "regression"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_link_to_a_gone_upload_asks_for_the_file_again(lang):
    config, warnings = ExperimentConfig.from_query_params({"data": "upload_0123456789"})
    assert config.dataset == "xor"
    assert [w.key for w in warnings] == ["warn.upload_gone"]
    assert ("upload the file again" if lang == "en" else "다시 올려") in warnings[0].text(lang)


def test_a_registered_upload_is_known_to_links():
    rows = [(i, i % 3 * 2.0, i % 2) for i in range(30)]
    name, _ = register_csv(_csv(("a", "b", "y"), rows), "y", label="t.csv")
    config, warnings = ExperimentConfig.from_query_params({"data": name})
    assert config.dataset == name and warnings == []


def _two_feature_csv(sep=";"):
    rng = np.random.default_rng(1)
    points = rng.normal(size=(60, 2))
    names = np.where(points[:, 0] * points[:, 1] > 0, "setosa", "virginica")
    rows = [(f"{a:.4f}", f"{b:.4f}", n) for (a, b), n in zip(points, names)]
    return _csv(("length", "width", "species"), rows, sep)


def test_two_numeric_features_are_a_plane_with_named_classes():
    from core.datasets import get_dataset, split_for

    name, summary = register_csv(_two_feature_csv(), "species", label="iris.csv")
    ds = get_dataset(name)
    assert ds.is_2d and ds.class_names == ("setosa", "virginica") and summary["task"] == "binary"
    config = ExperimentConfig().with_dataset(name).replace(features=("x1", "x2", "x1_x2"))
    data = split_for(config.validate())
    assert data.points_train is not None and data.x_train.shape[1] == 3  # a boundary can be drawn
    product = data.points_train[:, 0] * data.points_train[:, 1]
    np.testing.assert_allclose(data.x_train[:, 2], product, rtol=1e-5)


def test_the_exported_script_reads_a_2d_upload_like_the_lab(tmp_path, monkeypatch):
    from core.codegen import generate_script
    from core.datasets import split_for

    content = _two_feature_csv()
    name, _ = register_csv(content, "species", label="iris.csv")
    config = ExperimentConfig(hidden=(3,)).with_dataset(name).replace(features=("x1", "x2", "sin_x1"))
    (tmp_path / "data.csv").write_bytes(content)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "generated"}
    source = generate_script(config).split("# ---- model")[0]
    exec(compile(source, "generated.py", "exec"), namespace)
    data = split_for(config)
    np.testing.assert_allclose(namespace["x_train"], data.x_train, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(namespace["y_val"], data.y_val)


def test_numeric_class_names_read_as_integers():
    rows = [(i, i * 0.5, [3, 7, 9][i % 3]) for i in range(30)]
    name, summary = register_csv(_csv(("a", "b", "y"), rows), "y")
    assert summary["class_names"] == ("3", "7", "9") and summary["task"] == "multiclass"
