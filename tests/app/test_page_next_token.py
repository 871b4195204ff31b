"""Next-token page: training, probabilities, temperature and top-k, generation; every control by key."""

import numpy as np

from tests.app.conftest import assert_clean, run_page, charts

PAGE = "pages/next-token.py"


def text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def entropy_metrics(at) -> tuple[float, float]:
    values = [m.value for m in at.metric if m.value.endswith(("bits", "비트"))]  # the unit is translated
    return float(values[0].removesuffix("비트").split()[0]), float(values[1].removesuffix("비트").split()[0])


def test_defaults_in_both_languages(lang):
    at = run_page(PAGE, lang)
    assert_clean(at)
    assert len(charts(at)) == 3
    h_model, h_now = entropy_metrics(at)
    assert h_model == h_now, "at temperature 1 the sampler draws from the model's own distribution"
    assert len(at.get("html")) == 4, "the prompt's tokens and three samples"


def test_temperature_and_top_k(lang):
    at = run_page(PAGE, lang)
    h_model, _ = entropy_metrics(at)
    at.slider(key="nt_temperature").set_value(0.0).run()
    assert_clean(at)
    assert entropy_metrics(at)[1] == 0.0
    assert "**1 " in text(at) or "**1가지**" in text(at), "at temperature 0 the three samples are identical"
    at.slider(key="nt_temperature").set_value(2.0).run()
    assert entropy_metrics(at)[1] > h_model
    at.slider(key="nt_top_k").set_value(1).run()
    assert_clean(at)
    assert entropy_metrics(at)[1] == 0.0, "top-1 is greedy at any temperature"
    at.slider(key="nt_top_k").set_value(5).run()
    assert 0 < entropy_metrics(at)[1] <= np.log2(5) + 1e-9


def test_every_other_control(lang):
    at = run_page(PAGE, lang)
    at.text_input(key="nt_prompt").set_value("The cat sleeps in the")
    at.slider(key="nt_length").set_value(10)
    at.number_input(key="nt_seed").set_value(7)
    at.run()
    assert_clean(at)
    at.radio(key="nt_level").set_value("characters").run()  # trains the character-level model
    assert_clean(at)
    assert "24" in at.caption[0].value or any("24" in c.value for c in at.caption), "its window is 24 characters"
    at.text_input(key="nt_prompt").set_value("").run()
    assert_clean(at)
