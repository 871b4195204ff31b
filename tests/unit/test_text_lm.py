"""The tiny next-token model: windows, the model's shape, a short real training run (loss falls
below the frequency-only baseline), the shared model store."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest

from core.shared_work import SharedWork
from core.text import corpus, lm

TINY = lm.LMConfig(vocab_size=500, context=4, embed_dim=8, hidden=32, epochs=3, batch_size=256, seed=1)


def test_windows_match_a_plain_loop():
    ids = np.array([5, 6, 7, 8, 9], dtype="int32")
    x, y = lm.make_windows(ids, 3, pad_id=0)
    expected_x = [[0, 0, 0], [0, 0, 5], [0, 5, 6], [5, 6, 7], [6, 7, 8]]
    assert x.tolist() == expected_x and y.tolist() == ids.tolist()


def test_config_validation():
    with pytest.raises(ValueError, match="level"):
        lm.LMConfig(level="words").validate()
    with pytest.raises(ValueError, match="context"):
        lm.LMConfig(context=0).validate()
    with pytest.raises(ValueError, match="dropout"):
        lm.LMConfig(dropout=1.0).validate()
    assert lm.LMConfig().validate() == lm.LMConfig()


def test_unigram_baseline_matches_a_direct_count():
    train, val = np.array([0, 1, 1, 2, 2, 2]), np.array([2, 1])
    counts = np.array([1, 2, 3]) + 1.0
    expected = -np.mean(np.log(counts[[2, 1]] / counts.sum()))
    assert lm.unigram_cross_entropy(train, val, 3) == pytest.approx(expected)


@pytest.fixture(scope="module")
def trained():
    trainer = lm.LMTrainer(TINY)
    records = list(trainer.run())
    return trainer, records


def test_training_learns_from_context(trained):
    trainer, records = trained
    assert [r.epoch for r in records] == [0, 1, 2, 3]
    vocab = trainer.vocab_size
    assert records[0].val_loss == pytest.approx(np.log(vocab), abs=0.05), "untrained ≈ uniform guessing"
    assert records[-1].train_loss < records[1].train_loss
    assert records[-1].val_loss < trainer.unigram_loss < np.log(vocab)
    assert not np.allclose(records[0].embeddings, records[-1].embeddings)
    assert records[-1].embeddings.shape == (vocab, TINY.embed_dim)


def test_embedding_layer_is_a_row_lookup(trained):
    trainer, _ = trained
    import keras

    model = trainer.model
    ids = np.array([[3, 1, 4, 1]], dtype="int32")  # (1, context)
    looked_up = keras.Model(model.input, model.get_layer("embedding").output)(ids)  # (1, context, dim)
    np.testing.assert_allclose(np.asarray(looked_up)[0], trainer.embedding_table()[[3, 1, 4, 1]], rtol=0, atol=0)


def test_trained_lm_reads_only_its_window(trained):
    trainer, _ = trained
    model = trainer.result()
    assert model.window([9, 8]) == [model.pad_id, model.pad_id, 9, 8]
    assert model.window(list(range(10, 20))) == [16, 17, 18, 19]
    base = "The cat sleeps in the"
    ids = model.tokenizer.encode(base).ids
    a = model.next_logits(np.array([model.window(ids)]))[0]
    b = model.next_logits(np.array([model.window(model.tokenizer.encode("Adam " + base).ids)]))[0]
    np.testing.assert_allclose(a, b, atol=1e-6)  # the extra word lies outside the 4-token window
    np.testing.assert_allclose(model.logits_for(base), a, atol=1e-6)


def test_shared_work_trains_once_and_shares(trained):
    trainer, _ = trained
    work, calls = SharedWork(max_items=2), []
    model = work.obtain(("lm", TINY), lambda progress: trainer.result())
    assert work.obtain(("lm", TINY), lambda progress: calls.append(1)) is model
    assert calls == [], "a shared model is not trained again"


def test_a_trained_model_pickles_for_the_disk_cache(trained):
    trainer, _ = trained
    model = trainer.result()
    copy = pickle.loads(pickle.dumps(model))
    assert copy.model is None and copy.n_params == model.n_params == model.model.count_params()
    np.testing.assert_allclose(copy.logits_for("the model"), model.logits_for("the model"), atol=1e-6)
    assert copy.history[-1].val_loss == model.history[-1].val_loss


def test_stopping_midway_leaves_the_store_empty():
    """A page left mid-training releases its claim; the run stops at its next epoch and stores
    nothing, so the next visitor trains it again."""
    work, key, first, ended = SharedWork(), ("lm", "stopped"), threading.Event(), threading.Event()
    config = lm.LMConfig(vocab_size=400, context=2, embed_dim=4, hidden=8, epochs=5, batch_size=1024)

    def compute(progress):
        try:
            return lm.train(config, lambda record: (progress(record.epoch / config.epochs),
                                                    record.epoch >= 1 and first.set()))
        finally:
            ended.set()

    token = work.start(key, "page", compute)
    assert first.wait(120)
    assert work.release(key, token)  # the page's finally after Streamlit stopped its run
    assert ended.wait(120)
    assert work.get(key) is None


def test_corpus_windows_cover_every_training_token():
    tokenizer = lm.build_tokenizer(TINY)
    ids = lm.token_stream(tokenizer, "train")
    x, y = lm.make_windows(ids, TINY.context, lm.newline_id(tokenizer))
    assert len(y) == len(ids) and x.shape == (len(ids), TINY.context)
    assert tokenizer.decode(ids) == corpus.text(split="train")
