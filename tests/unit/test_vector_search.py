"""Vector search: ChromaDB's answers against exact NumPy and scikit-learn searches, the hidden
vectors against a direct Keras forward pass, and the lecture's claim measured with a fixed seed."""

from __future__ import annotations

import socket

import numpy as np
import pytest

chromadb = pytest.importorskip("chromadb")

from core.shared_work import SharedWork  # noqa: E402
from core.text import vector_search as vs  # noqa: E402

K = 10


@pytest.fixture(scope="module")
def run() -> vs.EmbeddingRun:
    return vs.train_embedder(vs.DIGITS_CONFIG)


@pytest.fixture(scope="module")
def index(run) -> vs.SearchIndex:
    return vs.SearchIndex(vs.make_client(), run)


def test_digits_are_sklearns_images_in_sklearns_order():
    from sklearn.datasets import load_digits

    digits, bunch = vs.load_digit_images(), load_digits()
    np.testing.assert_array_equal(digits.pixels, bunch.data)
    np.testing.assert_array_equal(digits.images.reshape(-1, 64), bunch.data)
    np.testing.assert_array_equal(digits.labels, bunch.target)
    # The network's inputs are the same pixels, standardized per column (constant columns -> 0).
    std = bunch.data.std(axis=0)
    expected = (bunch.data - bunch.data.mean(axis=0)) / np.where(std == 0, 1, std)
    np.testing.assert_allclose(digits.inputs, expected, atol=1e-5)
    assert len(np.intersect1d(digits.train_idx, digits.val_idx)) == 0
    assert len(digits.train_idx) + len(digits.val_idx) == len(bunch.data)


def test_saved_vectors_equal_a_direct_forward_pass(run):
    """The Trainer records hidden layers in its probe order; mapped back to image order they must
    equal what the trained model computes for each image (and the untrained model at epoch 0)."""
    import keras

    from core.models import build_model

    assert run.epochs == list(range(0, vs.DIGITS_CONFIG.epochs + 1, vs.SNAPSHOT_EVERY))
    for model, epoch in ((run.model, run.epochs[-1]), (build_model(run.config), 0)):
        layers = keras.Model(model.input, [model.get_layer("activation_1").output,
                                           model.get_layer("activation_2").output])
        first, last = (np.asarray(a) for a in layers(run.digits.inputs, training=False))
        np.testing.assert_allclose(run.vectors("hidden_1", epoch), first, atol=1e-5)
        np.testing.assert_allclose(run.vectors("hidden_2", epoch), last, atol=1e-5)
    assert run.val_accuracy[run.epochs[-1]] > 0.9


def test_a_run_read_back_from_disk_is_the_same_run(run):
    """On disk a run is its weights per snapshot epoch; reading it back recomputes every
    activation with the same forward pass, so the page shows the same vectors either way."""
    import pickle

    stored = pickle.dumps(run)
    assert len(stored) < 1_000_000, "the weights, not 9 MB of activations"
    restored = pickle.loads(stored)
    assert restored.model is None and restored.config == run.config and restored.epochs == run.epochs
    assert restored.val_accuracy == run.val_accuracy
    np.testing.assert_array_equal(restored.digits.val_idx, run.digits.val_idx)
    for epoch in run.epochs:
        for space in vs.LAYERS:
            np.testing.assert_array_equal(restored.vectors(space, epoch), run.vectors(space, epoch))


def test_collection_stores_our_vectors_in_cosine_space_without_an_embedding_function(index, run):
    collection = index.collection("hidden_2", run.epochs[-1])
    assert collection.configuration["hnsw"]["space"] == "cosine"
    assert collection.configuration.get("embedding_function") is None
    assert collection.count() == len(run.digits.labels)
    got = collection.get(ids=["7", "1500"], include=["embeddings", "metadatas"])
    np.testing.assert_allclose(got["embeddings"], run.vectors("hidden_2", run.epochs[-1])[[7, 1500]],
                               rtol=1e-6)
    assert [m["label"] for m in got["metadatas"]] == [int(run.digits.labels[7]), int(run.digits.labels[1500])]
    assert [m["held_out"] for m in got["metadatas"]] == [bool(run.digits.held_out[7]),
                                                         bool(run.digits.held_out[1500])]


def test_collection_names_never_collide(run):
    client = vs.make_client()
    first, second = vs.SearchIndex(client, run), vs.SearchIndex(client, run)
    a, b = first.collection(vs.PIXELS, 0), second.collection(vs.PIXELS, 0)
    assert a.name != b.name
    names = {c.name for c in client.list_collections()}
    assert {a.name, b.name} <= names


def test_chromadb_neither_connects_nor_downloads(run, monkeypatch):
    """Telemetry off, no server, no default embedding model: nothing may touch the network."""
    from chromadb.utils.embedding_functions import onnx_mini_lm_l6_v2

    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if args else kwargs)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "_download", refuse)
    monkeypatch.setattr(onnx_mini_lm_l6_v2.ONNXMiniLM_L6_V2, "__call__", refuse)
    client = vs.make_client()
    index = vs.SearchIndex(client, run)
    found = index.search("hidden_2", run.epochs[-1], run.digits.val_idx[:20], K)
    assert found.ids.shape == (20, K)
    assert attempts == []


@pytest.mark.parametrize("space,epoch", [("pixels", 0), ("hidden_2", 60), ("hidden_2", 0), ("hidden_1", 60)])
def test_chromadb_top_k_equals_numpy_cosine_top_k(index, run, space, epoch):
    queries = run.digits.val_idx  # all 360 held-out images
    chroma = index.search(space, epoch, queries, K)
    exact = index.exact(space, epoch, queries, K)
    assert chroma.ids.shape == exact.ids.shape == (len(queries), K)
    assert not np.any(chroma.ids == queries[:, None]), "the query itself is never its own neighbour"
    for got, want in zip(chroma.ids.tolist(), exact.ids.tolist()):
        assert set(got) == set(want)
    # Same distances rank by rank (float32 inside ChromaDB), so any difference in order is a tie.
    np.testing.assert_allclose(chroma.distances, exact.distances, atol=1e-5)
    np.testing.assert_array_equal(chroma.labels, run.digits.labels[chroma.ids])  # from metadata


def test_numpy_top_k_matches_scikit_learn_brute_force(run):
    from sklearn.neighbors import NearestNeighbors

    vectors = run.vectors("hidden_2", run.epochs[-1])
    queries = run.digits.val_idx[:50]
    ours = vs.numpy_top_k(vectors, queries, K, run.digits.labels)
    search = NearestNeighbors(n_neighbors=K + 1, metric="cosine", algorithm="brute").fit(vectors)
    distances, ids = search.kneighbors(vectors[queries])
    for q, row_ids, row_d, our_ids, our_d in zip(queries, ids, distances, ours.ids, ours.distances):
        keep = row_ids != q
        np.testing.assert_allclose(our_d, row_d[keep][:K], atol=1e-6)
        assert set(our_ids) == set(row_ids[keep][:K])


def test_zero_vectors_have_cosine_distance_one_like_chromadb():
    vectors = np.array([[1.0, 0.0], [0.0, 0.0], [0.6, 0.8], [-1.0, 0.0]], dtype="float32")
    found = vs.numpy_top_k(vectors, np.array([0]), 3, np.arange(4))
    np.testing.assert_array_equal(found.ids[0], [2, 1, 3])
    np.testing.assert_allclose(found.distances[0], [0.4, 1.0, 2.0], atol=1e-7)


def test_precision_at_k_and_its_curve():
    labels = np.array([[1, 1, 0, 1], [2, 0, 0, 2]])
    found = vs.Neighbours(np.zeros_like(labels), np.zeros(labels.shape), labels)
    query_labels = np.array([1, 2])
    assert vs.precision_at_k(found, query_labels, 1) == 1.0
    assert vs.precision_at_k(found, query_labels, 2) == 0.75   # 1, 1 | 2, 0
    assert vs.precision_at_k(found, query_labels, 4) == 5 / 8
    curve = vs.precision_curve(found, query_labels)
    np.testing.assert_allclose(curve, [vs.precision_at_k(found, query_labels, k) for k in range(1, 5)])


def test_embedding_neighbours_share_the_digit_more_often_than_pixel_neighbours(index, run):
    """The lecture's claim, measured: precision@k over all 360 held-out images, fixed seed."""
    queries, final = run.digits.val_idx, run.epochs[-1]
    labels = run.digits.labels[queries]
    for k in (K, 20):
        trained = vs.precision_at_k(index.search("hidden_2", final, queries, k), labels, k)
        pixels = vs.precision_at_k(index.search(vs.PIXELS, final, queries, k), labels, k)
        untrained = vs.precision_at_k(index.search("hidden_2", 0, queries, k), labels, k)
        assert trained > pixels, (k, trained, pixels)
        assert untrained < pixels < trained, (k, untrained, pixels, trained)
    # The learned space holds its precision as k grows; raw pixels lose more.
    emb = vs.precision_curve(index.search("hidden_2", final, queries, vs.MAX_K), labels)
    pix = vs.precision_curve(index.search(vs.PIXELS, final, queries, vs.MAX_K), labels)
    assert emb[0] - emb[-1] < pix[0] - pix[-1]


def test_precision_by_epoch_rises_from_the_untrained_network(index, run):
    values = index.precision_by_epoch("hidden_2", K)
    assert len(values) == len(run.epochs)
    assert values[-1] > values[0] + 0.1
    pixels = index.precision_by_epoch(vs.PIXELS, K)
    assert pixels == [pixels[0]] * len(run.epochs), "raw pixels do not change with training"


def test_most_telling_query_is_held_out_and_favours_the_embedding(index, run):
    query = vs.most_telling_query(index, "hidden_2", run.epochs[-1], K)
    assert run.digits.held_out[query]
    label = run.digits.labels[query]
    emb = index.exact("hidden_2", run.epochs[-1], [query], K).labels[0]
    pix = index.exact(vs.PIXELS, 0, [query], K).labels[0]
    assert np.sum(emb == label) > np.sum(pix == label)


def test_pca_2d_matches_scikit_learn(run):
    from sklearn.decomposition import PCA

    vectors = run.vectors("hidden_2", run.epochs[-1])
    coords, ratio = vs.pca_2d(vectors)
    pca = PCA(n_components=2, svd_solver="full").fit(vectors)
    expected = pca.transform(vectors)
    for axis in range(2):  # principal directions are defined up to sign
        sign = np.sign(coords[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(coords[:, axis], sign * expected[:, axis], atol=1e-3)
    np.testing.assert_allclose(ratio, pca.explained_variance_ratio_, rtol=1e-4)


def test_a_failed_training_is_reported_by_the_shared_work():
    """The page trains through ui.shared (core.shared_work): a refused config becomes an error
    the page reports, and the next visitor may try again."""
    work = SharedWork()
    bad = vs.DIGITS_CONFIG.replace(learning_rate=-1.0)  # refused by ExperimentConfig.validate
    with pytest.raises(ValueError):
        work.obtain(("vs", bad), lambda progress: vs.train_embedder(bad))
    assert work.get(("vs", bad)).state == "failed"


def test_curve_story_names_what_the_curves_show():
    assert vs.curve_story(np.array([0.97, 0.95]), np.array([0.99, 0.90])) == "crossover"
    assert vs.curve_story(np.array([0.99, 0.95]), np.array([0.97, 0.90])) == "embedding_ahead"
    assert vs.curve_story(np.array([0.86, 0.64]), np.array([0.99, 0.90])) == "pixels_ahead"


def test_a_prefetched_search_is_chromadbs_own_answer(run):
    """SearchIndex.prefetch runs the searches in a background thread; `search` returns exactly
    what ChromaDB answers when asked directly, and a failure reaches whoever waits for it."""
    index = vs.SearchIndex(vs.make_client(), run)
    queries, last = run.digits.val_idx, run.epochs[-1]
    searches = [("hidden_2", last, queries, vs.MAX_K), (vs.PIXELS, last, [int(queries[3])], 7)]
    index.prefetch(searches)
    for space, epoch, ids, k in searches:
        found = index.search(space, epoch, ids, k)
        direct = vs.chroma_top_k(index.collection(space, epoch), run.vectors(space, epoch), np.asarray(ids), k)
        assert np.array_equal(found.ids, direct.ids) and np.array_equal(found.labels, direct.labels)
        assert np.allclose(found.distances, direct.distances)
    index.prefetch([("hidden_2", last, [10**6], 3)])  # no such image
    with pytest.raises(IndexError):
        index.search("hidden_2", last, [10**6], 3)
    # The worker busy with something else: the page does not queue behind it, it searches itself.
    import threading

    release = threading.Event()
    vs.background().submit(release.wait, 30)
    try:
        index.prefetch([("hidden_1", last, queries, 5)])
        found = index.search("hidden_1", last, queries, 5)
    finally:
        release.set()
    direct = vs.chroma_top_k(index.collection("hidden_1", last), run.vectors("hidden_1", last), queries, 5)
    assert np.array_equal(found.ids, direct.ids)
