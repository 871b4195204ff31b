"""The experiment's field table (core.config.FIELDS): one row per ExperimentConfig field."""

import dataclasses

from core.config import FIELD, FIELDS, LIMITS, URL_FIELDS, ExperimentConfig, _checked


def test_one_row_per_config_field_with_unique_url_keys():
    assert [f.name for f in FIELDS] == [f.name for f in dataclasses.fields(ExperimentConfig)]
    assert len({f.url for f in FIELDS}) == len(FIELDS)
    assert URL_FIELDS == tuple((f.name, f.url, f.kind) for f in FIELDS)
    assert all(f.widget_key == "lab_" + f.name for f in FIELDS)


def test_sliders_take_their_range_from_the_limits_and_steps_stay_inside_them():
    for field in FIELDS:
        if field.control in ("slider", "number_input", "samples"):
            assert field.name in LIMITS
        if field.steps and field.name in LIMITS:
            lo, hi = LIMITS[field.name]
            assert lo <= min(field.steps) and max(field.steps) <= hi, field.name
    lr = FIELD["learning_rate"].steps
    assert (lr[0], lr[-1]) == LIMITS["learning_rate"] and lr[1] == 3e-5  # the same float a link reads


def test_a_config_is_checked_once():
    config = ExperimentConfig(seed=12345)
    before = _checked.cache_info()
    for _ in range(3):
        config.validate()
    after = _checked.cache_info()
    assert after.misses - before.misses == 1 and after.hits - before.hits == 2
