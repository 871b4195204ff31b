"""ui.lm_views: the text pages' Keras computations as ui.stored functions. A call is named by the
model's config and its real arguments (the seed among them), computes what the pages computed
before with the Keras model, and the same call computes the same thing again."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from core import result_files
from core.text import embedding, lm, sampling
from scripts import precompute
from ui import lm_views, shared


@pytest.fixture(scope="module")
def model():
    trained = result_files.load(precompute.lm_jobs()[0].file_name, [result_files.SHIPPED])
    assert trained is not result_files.MISSING, "the shipped next-token model is missing"
    return trained


def test_a_model_argument_is_named_by_its_config(model):
    other = dataclasses.replace(model, history=[])  # another object, the same config
    assert lm_views.Model(model) == lm_views.Model(other)
    assert hash(lm_views.Model(model)) == hash(lm_views.Model(other))
    assert repr(lm_views.Model(model)) == f"TrainedLM({model.config!r})"
    wider = dataclasses.replace(model, config=dataclasses.replace(model.config, embed_dim=32))
    assert lm_views.Model(wider) != lm_views.Model(model)
    assert (lm_views.logits_for.call(lm_views.Model(wider), "a").file_name
            != lm_views.logits_for.call(lm_views.Model(model), "a").file_name)


def test_the_recompute_flag_is_the_models(model):
    assert lm_views.PERSIST.page == shared.LM_PERSIST.page
    assert lm in lm_views.PERSIST.modules and sampling in lm_views.PERSIST.modules


def test_logits_are_the_keras_models_for_the_prompts_window(model):
    text = "the cat sat on the"
    fresh = lm_views.logits_for.call(lm_views.Model(model), text).compute()
    window = model.window(model.tokenizer.encode(text).ids)
    direct = np.asarray(model._keras()(np.array([window], dtype="int32"), training=False))[0]
    assert fresh.shape == (model.vocab_size,)
    np.testing.assert_allclose(fresh, direct, rtol=1e-5, atol=1e-6)


def test_lookup_is_the_embedding_layers_rows(model):
    ids = tuple(model.tokenizer.encode("the cat").ids)
    demo = lm_views.lookup.call(lm_views.Model(model), ids).compute()
    assert isinstance(demo, embedding.LookupDemo)
    np.testing.assert_array_equal(demo.rows, model.embeddings[list(ids)])
    assert demo.max_difference < 1e-5


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_the_seed_names_a_generation_and_decides_it(model, seed):
    args = ("the cat", 8, 1.0, 0)
    call = lm_views.generate.call(lm_views.Model(model), *args, seed, 3)
    other = lm_views.generate.call(lm_views.Model(model), *args, seed + 1, 3)
    assert call.file_name != other.file_name
    first, again = call.compute(), call.compute()
    assert [(g.ids, g.probabilities) for g in first] == [(g.ids, g.probabilities) for g in again]
    direct = sampling.generate(model, *args, seed=seed, n_samples=3)
    assert [g.ids for g in first] == [g.ids for g in direct]
    assert [g.ids for g in first] != [g.ids for g in other.compute()]
