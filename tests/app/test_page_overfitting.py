"""The overfitting page: every control by key, every experiment trained (with fewer epochs than
the page uses, to keep the test short), both languages, no exception."""

import pytest

from core.lessons import batchnorm_race
from core.lessons import overfitting as lesson_overfitting
from tests.app.conftest import assert_clean, run_page, charts, tables

PAGE = "pages/overfitting.py"


@pytest.fixture
def short_runs(monkeypatch):
    monkeypatch.setattr(lesson_overfitting, "EPOCHS", 40)
    monkeypatch.setattr(lesson_overfitting, "BN_EPOCHS", 10)


def test_overfitting_page_in_both_languages(short_runs):
    at = run_page(PAGE, "en", overfitting_n=40)
    assert_clean(at)
    assert len(charts(at)) == 1  # nothing trained yet: buttons, and the BatchNorm race shipped with the app
    at.selectbox(key="overfitting_dataset").set_value("circle")
    at.number_input(key="overfitting_seed").set_value(2)
    at.select_slider(key="overfitting_dropout").set_value(0.2)
    at.select_slider(key="overfitting_l2").set_value(1e-3)
    at.toggle(key="overfitting_batchnorm").set_value(True)
    at.toggle(key="overfitting_early").set_value(True).run()  # off by default: one effect at a time
    at.slider(key="overfitting_patience").set_value(10)
    at.run()
    assert_clean(at)
    at.button(key="overfitting_run_all").click().run()
    assert_clean(at)
    assert len(charts(at)) == 5
    assert len(at.metric) == 3 and tables(at)
    assert at.button(key="overfitting_run_all").disabled
    # Korean: the same settings, every run already trained on this "server".
    ko = run_page(PAGE, "ko", overfitting_n=40, overfitting_dataset="circle", overfitting_seed=2,
                  overfitting_dropout=0.2, overfitting_l2=1e-3, overfitting_batchnorm=True,
                  overfitting_early=True, overfitting_patience=10)
    assert_clean(ko)
    assert len(charts(ko)) == 5
    assert any("눈여겨볼 점" in m.value for m in ko.markdown)


def test_the_default_view_opens_with_results_not_buttons():
    """Fresh server, default settings: the shipped runs fill every section at once (no Train
    button), and the page offers to recompute them live."""
    at = run_page(PAGE, "en")
    assert_clean(at)
    assert len(charts(at)) == 5
    assert not [b for b in at.button if b.key.startswith("overfitting_train_")]
    assert at.button(key="overfitting_recompute_live")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_batchnorm_race_opens_shipped_with_sentences_from_its_numbers(lang):
    """Section 3 reads the shipped race: its figure (training-mode loss, one band per
    contender), its table, and the sentences with the measured counts, in either language."""
    at = run_page(PAGE, lang)
    assert_clean(at)
    text = " ".join(m.value for m in at.markdown if not m.value.startswith("<div data-code"))
    race_chart = next(c for c in charts(at) if 'data-chart="overfitting&#95;bnrace&#95;chart"' in c)
    for name in batchnorm_race.CONTENDERS:  # a legend entry (and an axis label) per contender
        label = {"en": ["plain", "BN", "Dropout", "BN + Dropout"],
                 "ko": ["그대로", "BN", "Dropout", "BN + Dropout"]}[lang][batchnorm_race.CONTENDERS.index(name)]
        assert f">{label}<" in race_chart, label
    table = next(df for df in tables(at) if len(df) == len(batchnorm_race.CONTENDERS))
    assert "BatchNorm + Dropout" in table.iloc[:, 0].tolist()
    if lang == "en":
        assert "training-mode" in text and "inference mode" in text and "running averages" in text
        assert "of 5 seeds" in text or "all 5 seeds" in text
        assert "Dropout and BatchNorm together" in text
    else:
        assert "학습 모드" in text and "추론 모드" in text and "이동 평균" in text
        assert "5개" in text and "Dropout과 BatchNorm을 함께" in text
    assert "{" not in text  # every placeholder filled


def test_the_batchnorm_race_recomputes_live_with_a_progress_bar(monkeypatch):
    """"Recompute live": the race is no longer read from its file; it trains on request (fewer
    epochs here) and the section fills again."""
    monkeypatch.setattr(batchnorm_race, "EPOCHS", batchnorm_race.EARLY + 5)
    at = run_page(PAGE, "en")
    at.button(key="overfitting_recompute_live").click().run()
    assert_clean(at)
    assert at.button(key="overfitting_train_bnrace")
    at.button(key="overfitting_train_bnrace").click().run()
    assert_clean(at)
    assert any('data-chart="overfitting&#95;bnrace&#95;chart"' in c for c in charts(at))
    assert any("Dropout and BatchNorm together" in m.value for m in at.markdown)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_regularizer_over_five_seeds_opens_shipped(lang, monkeypatch):
    """Default settings: the 5-seed table (gap and validation loss as mean (min–max)) and the
    seed-count sentence come from the shipped file; nothing trains (training would raise here).
    The sentence comes before the one-seed detail."""
    from core import result_files
    from core.lessons import overfitting_seeds
    from scripts.precompute import overfitting_jobs

    def no_training(*args, **kwargs):
        raise AssertionError("the default view trained")

    monkeypatch.setattr(overfitting_seeds, "compare", no_training)
    monkeypatch.setattr(lesson_overfitting, "train_run", no_training)
    at = run_page(PAGE, lang)
    assert_clean(at)
    assert not [b for b in at.button if b.key == "overfitting_train_regseeds"]
    shipped = result_files.load(next(job.file_name for job in overfitting_jobs() if "regseeds" in job.key))
    label = "Dropout 0.3"
    expected = overfitting_seeds.table(shipped, label, lang)
    table = next(df for df in tables(at) if list(df.columns) == list(expected))
    assert table.astype(str).to_dict("list") == {k: [str(v) for v in vs] for k, vs in expected.items()}
    said = overfitting_seeds.sentence(shipped, label, lang)["text"]
    texts = [m.value for m in at.markdown]
    assert said in texts
    one_seed = {"en": "Baseline: training", "ko": "기준: 학습"}[lang]  # the one-seed notice
    assert texts.index(said) < next(i for i, t in enumerate(texts) if t.startswith(one_seed))
    assert ("of 5 seeds" in said or "all 5 seeds" in said) if lang == "en" else "5개" in said


def test_the_regularizer_over_five_seeds_trains_on_request(short_runs):
    """Any other setting: a button, and after it the table and the sentence for that setting."""
    at = run_page(PAGE, "en", overfitting_dropout=0.5)
    assert_clean(at)
    assert not any("over 5 seeds" in " ".join(df.columns) for df in tables(at))
    at.button(key="overfitting_train_regseeds").click().run()
    assert_clean(at)
    table = next(df for df in tables(at) if "gap (train − val), mean (min–max) over 5 seeds" in df.columns)
    assert table.iloc[:, 0].tolist() == ["baseline", "Dropout 0.5"]
    assert any(m.value.startswith("Over 5 seeds,") and "Dropout 0.5" in m.value for m in at.markdown)
