"""Vector search over a digits classifier's hidden layers, stored in a real ChromaDB collection.

The lecture (VectorDB): 최종단의 히든레이어에서 만들어진 특징들의 벡터값은 매우 유의미할
것이다 - the feature vectors made by the last hidden layer are very meaningful. Here we train a small
64 -> 64 -> 32 -> 10 classifier on scikit-learn's bundled 8x8 digits, take a hidden layer's
activations as each image's embedding, store the vectors in an in-process ChromaDB collection
(cosine space, our own vectors, no embedding model), and compare nearest neighbours found by
the embedding with nearest neighbours found by raw pixels.

Nothing here downloads anything: the digits ship inside scikit-learn, and every collection is
created with `embedding_function=None`, so ChromaDB never loads its default ONNX model.
ChromaDB and TensorFlow are imported inside functions, so importing this module stays cheap.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from core.config import ExperimentConfig
from core.datasets import DATASETS, DataSplit, bundled_digits, split

# The classifier whose hidden layers become embeddings. Adam at 0.003 with batches of 64 reaches
# ~97 % held-out accuracy in 60 epochs, a few seconds on 2 CPU cores (compile included).
DIGITS_CONFIG = ExperimentConfig().with_dataset("digits").replace(
    hidden=(64, 32), learning_rate=0.003, batch_size=64, epochs=60, seed=0)
SNAPSHOT_EVERY = 5  # keep the embeddings of every 5th epoch, so a slider can go back in time
PIXELS = "pixels"
# Search spaces: the raw image, or a hidden layer's activations (layer name -> block index).
LAYERS = {"hidden_2": 1, "hidden_1": 0}
SPACES = (PIXELS, *LAYERS)
MAX_K = 30  # deepest neighbour list anybody asks for (the precision@k curve)
# ChromaDB indexes vectors with HNSW, an *approximate* nearest-neighbour graph. Its defaults
# (ef_construction=100, ef_search=100, max_neighbors=16) missed a neighbour now and then in our
# measurements (357-360 of 360 queries exact at k=30); these settings were exact in every build
# we measured for 1,797 vectors, at a fraction of a second per collection.
HNSW = {"space": "cosine", "ef_construction": 200, "ef_search": 200, "max_neighbors": 32}


# ---- data -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class DigitImages:
    """The 1,797 digits in scikit-learn's order, in the forms each part of the page needs."""

    pixels: np.ndarray     # (n, 64) raw intensities 0..16: what the image *is*
    images: np.ndarray     # (n, 8, 8) the same, as pictures
    inputs: np.ndarray     # (n, 64) standardized pixels: what the network sees
    labels: np.ndarray     # (n,) the digit 0..9
    train_idx: np.ndarray  # indices the network trained on
    val_idx: np.ndarray    # held-out indices: every query in the measurements is one of these

    @property
    def held_out(self) -> np.ndarray:
        mask = np.zeros(len(self.labels), bool)
        mask[self.val_idx] = True
        return mask


def load_digit_images(config: ExperimentConfig = DIGITS_CONFIG) -> DigitImages:
    pixels, _ = bundled_digits()  # scikit-learn's own file: no download, no sklearn import
    inputs, labels = DATASETS["digits"].load(len(pixels), 0.0, config.seed)
    train_idx, val_idx = split(inputs, labels, config.val_split, config.seed, "multiclass")
    pixels = pixels.astype("float32")
    return DigitImages(pixels, pixels.reshape(-1, 8, 8), inputs, labels, train_idx, val_idx)


# ---- the embedding network ------------------------------------------------------------------

@dataclass
class EmbeddingRun:
    """Hidden-layer activations of every image at every snapshot epoch (0 = untrained).

    On disk (the shipped default, core.result_files) it is only the network's weights at each
    snapshot epoch, about 0.3 MB instead of 9 MB of activations: reading it back recomputes the
    activations with `hidden_features`, the same NumPy forward pass a fresh run uses, so a page
    opened from the file shows exactly what training would, without waiting for TensorFlow."""

    config: ExperimentConfig
    digits: DigitImages
    features: dict[int, list[np.ndarray]] = field(default_factory=dict)  # epoch -> [(n, 64), (n, 32)]
    val_accuracy: dict[int, float] = field(default_factory=dict)        # epoch -> held-out accuracy
    seconds: float = 0.0
    model: object = None  # the trained keras.Model (final epoch); None when read from disk
    weights: dict[int, list[np.ndarray]] = field(default_factory=dict)  # epoch -> Keras get_weights()

    @property
    def epochs(self) -> list[int]:
        return sorted(self.features)

    def vectors(self, space: str, epoch: int) -> np.ndarray:
        if space == PIXELS:
            return self.digits.pixels
        return self.features[epoch][LAYERS[space]]

    def __getstate__(self) -> dict:
        """What decides everything else: the weights (the images ship with scikit-learn)."""
        return dict(config=self.config, weights=self.weights, val_accuracy=self.val_accuracy,
                    seconds=self.seconds)

    def __setstate__(self, state: dict) -> None:
        digits = load_digit_images(state["config"])
        features = {epoch: hidden_features(state["config"], weights, digits.inputs)
                    for epoch, weights in state["weights"].items()}
        vars(self).update(state, digits=digits, features=features, model=None)


def hidden_features(config: ExperimentConfig, weights: list[np.ndarray], inputs: np.ndarray) -> list[np.ndarray]:
    """Every hidden layer's activations, [(n, width_1), (n, width_2), ...], from the network's
    weights ([kernel_1, bias_1, kernel_2, bias_2, ..., output kernel, output bias], as Keras'
    `get_weights` lists them): Dense then the activation, in float32 as Keras computes it.
    tests/unit/test_vector_search.py checks it against the Keras model's own forward pass."""
    from core.activations import ACTIVATIONS

    assert not (config.batchnorm or config.skip or config.dropout), "Dense + activation layers only"
    activation, h, layers = ACTIVATIONS[config.activation].fn, np.asarray(inputs, "float32"), []
    for kernel, bias in zip(weights[0:-2:2], weights[1:-2:2]):  # the hidden layers, not the output
        h = np.asarray(activation(h @ kernel + bias), "float32")  # (n, width)
        layers.append(h)
    return layers


def train_embedder(config: ExperimentConfig = DIGITS_CONFIG,
                   on_record: Callable | None = None) -> EmbeddingRun:
    """Train the classifier with core.training.Trainer, keep its weights at each snapshot epoch
    and every image's hidden-layer activations computed from them. `on_record(record)` is
    called once per epoch."""
    from core.training import Trainer

    digits = load_digit_images(config)
    data = DataSplit(digits.inputs[digits.train_idx], digits.labels[digits.train_idx],
                     digits.inputs[digits.val_idx], digits.labels[digits.val_idx], "multiclass", 10)
    # Chunks of epochs end on snapshot epochs: at a record with a snapshot, the model holds
    # exactly that epoch's weights.
    trainer = Trainer(config, data, snapshots=config.epochs // SNAPSHOT_EVERY)
    run = EmbeddingRun(config, digits)
    for record in trainer.run():
        if record.snapshot is not None:
            weights = trainer.with_model(lambda model: model.get_weights())
            run.weights[record.epoch] = weights
            run.features[record.epoch] = hidden_features(config, weights, digits.inputs)
            run.val_accuracy[record.epoch] = record.val_metric
        if on_record is not None:
            on_record(record)
    run.seconds = trainer.history[-1].seconds
    run.model = trainer.model
    return run


# ---- ChromaDB ---------------------------------------------------------------------------------

def make_client():
    """An in-process ChromaDB (no server, nothing on disk), with telemetry switched off."""
    import chromadb
    from chromadb.config import Settings

    return chromadb.EphemeralClient(settings=Settings(anonymized_telemetry=False))


def build_collection(client, name: str, vectors: np.ndarray, labels: np.ndarray,
                     held_out: np.ndarray):
    """Store one vector per image. We pass our own embeddings, so the collection has no
    embedding function (ChromaDB's default one would download a model) and uses cosine space."""
    collection = client.create_collection(
        name=name,
        embedding_function=None,
        configuration={"hnsw": HNSW},  # cosine distance, tuned to be exact at this size
    )
    collection.add(
        ids=[str(i) for i in range(len(vectors))],
        embeddings=np.asarray(vectors, dtype="float32"),  # (n_images, dim)
        metadatas=[{"label": int(label), "held_out": bool(h)} for label, h in zip(labels, held_out)],
    )
    return collection


@dataclass(frozen=True)
class Neighbours:
    ids: np.ndarray        # (n_queries, k) image indices, nearest first
    distances: np.ndarray  # (n_queries, k) cosine distance = 1 - cosine similarity
    labels: np.ndarray     # (n_queries, k) the neighbours' digits

    def top(self, k: int) -> "Neighbours":
        """The first k neighbours of every query."""
        return Neighbours(self.ids[:, :k], self.distances[:, :k], self.labels[:, :k])


def chroma_top_k(collection, vectors: np.ndarray, query_ids: np.ndarray, k: int) -> Neighbours:
    """Ask ChromaDB for each query image's k nearest stored images, the image itself excluded."""
    result = collection.query(
        query_embeddings=np.asarray(vectors[query_ids], dtype="float32"),  # (n_queries, dim)
        n_results=k + 1,  # one extra: the query image is stored too, at distance 0
        include=["distances", "metadatas"],
    )
    ids, distances, labels = [], [], []
    for query, row_ids, row_dist, row_meta in zip(query_ids, result["ids"], result["distances"],
                                                  result["metadatas"]):
        keep = [j for j, i in enumerate(row_ids) if int(i) != int(query)][:k]
        ids.append([int(row_ids[j]) for j in keep])
        distances.append([row_dist[j] for j in keep])
        labels.append([row_meta[j]["label"] for j in keep])
    return Neighbours(np.array(ids), np.array(distances), np.array(labels))


def numpy_top_k(vectors: np.ndarray, query_ids: np.ndarray, k: int, labels: np.ndarray) -> Neighbours:
    """The exact answer: cosine distance to every image, sorted, the query itself excluded."""
    v = np.asarray(vectors, dtype="float64")
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    unit = v / np.where(norms > 0, norms, 1.0)  # an all-zero vector has similarity 0 to all
    distances = 1.0 - unit[query_ids] @ unit.T  # (n_queries, n_images)
    distances[np.arange(len(query_ids)), query_ids] = np.inf
    # The k smallest per row (argpartition, linear time), then sorted among themselves.
    ids = np.argpartition(distances, k - 1, axis=1)[:, :k]  # (n_queries, k), unordered
    order = np.argsort(np.take_along_axis(distances, ids, axis=1), axis=1, kind="stable")
    ids = np.take_along_axis(ids, order, axis=1)  # (n_queries, k), nearest first
    return Neighbours(ids, np.take_along_axis(distances, ids, axis=1), labels[ids])


# ---- measurements ---------------------------------------------------------------------------

def precision_at_k(neighbours: Neighbours, query_labels: np.ndarray, k: int) -> float:
    """Share of the k nearest neighbours that are the same digit as their query."""
    return float(np.mean(neighbours.labels[:, :k] == np.asarray(query_labels)[:, None]))


def precision_curve(neighbours: Neighbours, query_labels: np.ndarray) -> np.ndarray:
    """precision@k for k = 1 .. (neighbours per query), as one array."""
    hits = neighbours.labels == np.asarray(query_labels)[:, None]  # (n_queries, k)
    return np.cumsum(hits.mean(axis=0)) / np.arange(1, hits.shape[1] + 1)


def curve_story(embedding: np.ndarray, pixels: np.ndarray) -> str:
    """Which story two precision@k curves tell: "crossover" (pixels ahead at k=1, the embedding
    ahead at the deepest k), "embedding_ahead" at the deepest k, or "pixels_ahead" there."""
    if pixels[0] > embedding[0] and embedding[-1] > pixels[-1]:
        return "crossover"
    return "embedding_ahead" if embedding[-1] >= pixels[-1] else "pixels_ahead"


@dataclass(frozen=True)
class Agreement:
    n_queries: int
    same_order: int           # queries whose k ids came back in exactly NumPy's order
    same_set: int             # queries whose k ids are NumPy's k ids in some order
    max_distance_gap: float   # largest |ChromaDB distance - NumPy distance| at equal ranks


def compare(chroma: Neighbours, exact: Neighbours) -> Agreement:
    return Agreement(
        n_queries=len(chroma.ids),
        same_order=int(np.all(chroma.ids == exact.ids, axis=1).sum()),
        same_set=int(sum(set(a) == set(b) for a, b in zip(chroma.ids.tolist(), exact.ids.tolist()))),
        max_distance_gap=float(np.max(np.abs(chroma.distances - exact.distances))),
    )


def pca_2d(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project onto the two directions of largest variance: (coords (n, 2), variance ratios (2,))."""
    centered = np.asarray(vectors, dtype="float64") - np.mean(vectors, axis=0)
    # The eigenvectors of the (dim, dim) scatter matrix, largest first: the same directions as
    # an SVD of the (n, dim) data, at a fraction of the cost (an SVD of 1,797 rows took over a
    # second on a busy server).
    variance, vectors_ = np.linalg.eigh(centered.T @ centered)  # ascending
    variance, vectors_ = np.clip(variance[::-1], 0.0, None), vectors_[:, ::-1]
    components = vectors_[:, :2].T  # (2, dim)
    components = components * np.sign(components[:, :1] + 1e-12)  # a stable orientation
    coords = centered @ components.T  # (n, 2)
    return coords, variance[:2] / max(variance.sum(), 1e-12)


# ---- one search index per trained run -------------------------------------------------------

_BACKGROUND: list = []  # one worker thread per process (SearchIndex.prefetch, client_soon)
_BACKGROUND_LOCK = threading.Lock()
FOUND_KEPT = 64  # prefetched search results an index keeps (newest), for reruns with the same settings


def background():
    """The process's one vector-search worker thread (an executor), made on first use."""
    from concurrent.futures import ThreadPoolExecutor

    with _BACKGROUND_LOCK:
        if not _BACKGROUND:
            _BACKGROUND.append(ThreadPoolExecutor(1, thread_name_prefix="vector-search"))
        return _BACKGROUND[0]


class SearchIndex:
    """One ChromaDB collection per (space, epoch), built on first use. The collection names
    carry a fresh token: an EphemeralClient shares one in-memory database with every other
    client in the process, so names must never collide between cache entries."""

    def __init__(self, client, run: EmbeddingRun):
        self.client = client
        self.run = run
        self.token = uuid.uuid4().hex[:10]
        self._collections: dict[tuple[str, int], object] = {}
        self._memo: dict[tuple, object] = {}
        self._lock = threading.Lock()
        self._found: dict[tuple, object] = {}  # search key -> Future, oldest first
        self._found_lock = threading.Lock()

    def collection(self, space: str, epoch: int):
        key = (space, 0 if space == PIXELS else int(epoch))
        with self._lock:
            if key not in self._collections:
                digits = self.run.digits
                name = f"digits-{space.replace('_', '-')}-e{key[1]}-{self.token}"
                self._collections[key] = build_collection(
                    self.client, name, self.run.vectors(space, key[1]), digits.labels, digits.held_out)
            return self._collections[key]

    def search(self, space: str, epoch: int, query_ids: np.ndarray, k: int) -> Neighbours:
        """ChromaDB's answer: the prefetched one when `prefetch` was asked for these arguments."""
        key = _search_key(space, epoch, query_ids, k)
        with self._found_lock:
            future = self._found.get(key)
            if future is not None and future.cancel():  # not started (the worker is busy): here
                del self._found[key]
                future = None
        return future.result() if future is not None else self._search_now(space, epoch, query_ids, k)

    def _search_now(self, space: str, epoch: int, query_ids, k: int) -> Neighbours:
        return chroma_top_k(self.collection(space, epoch), self.run.vectors(space, epoch),
                            np.asarray(query_ids), k)

    def prefetch(self, searches) -> None:
        """Start these searches ((space, epoch, query_ids, k) each) in a background thread.
        ChromaDB builds its index and searches it in Rust without holding Python's lock, so
        the page computes its NumPy parts meanwhile; `search` with the same arguments then
        waits for (and returns) the real ChromaDB result, or runs it itself if the worker has
        not started it yet (busy with another page's searches)."""
        for space, epoch, query_ids, k in searches:
            key = _search_key(space, epoch, query_ids, k)
            with self._found_lock:
                if key not in self._found:
                    self._found[key] = background().submit(self._search_now, space, epoch, query_ids, k)
                while len(self._found) > FOUND_KEPT:
                    del self._found[next(iter(self._found))]

    def exact(self, space: str, epoch: int, query_ids: np.ndarray, k: int) -> Neighbours:
        return numpy_top_k(self.run.vectors(space, epoch), np.asarray(query_ids), k,
                           self.run.digits.labels)


    def precision_by_epoch(self, space: str, k: int) -> list[float]:
        """precision@k over the held-out queries at every snapshot epoch (exact NumPy search),
        remembered per (space, k): sliders revisit the same values again and again."""
        key = ("precision_by_epoch", space, k)
        if key not in self._memo:
            queries = self.run.digits.val_idx
            labels = self.run.digits.labels[queries]
            epochs = [0] if space == PIXELS else self.run.epochs
            values = [precision_at_k(self.exact(space, e, queries, k), labels, k) for e in epochs]
            self._memo[key] = values * len(self.run.epochs) if space == PIXELS else values
        return self._memo[key]


def _search_key(space: str, epoch: int, query_ids, k: int) -> tuple:
    return (space, 0 if space == PIXELS else int(epoch), tuple(np.asarray(query_ids).tolist()), int(k))


def most_telling_query(index: SearchIndex, space: str, epoch: int, k: int) -> int:
    """The held-out image on which the two searches disagree most (embedding right, pixels
    wrong), a good first example; ties go to the lowest index so the choice is reproducible."""
    queries = index.run.digits.val_idx
    labels = index.run.digits.labels[queries]
    by_embedding = index.exact(space, epoch, queries, k).labels == labels[:, None]
    by_pixels = index.exact(PIXELS, epoch, queries, k).labels == labels[:, None]
    margin = by_embedding.sum(axis=1) - by_pixels.sum(axis=1)  # (n_queries,)
    return int(queries[int(np.argmax(margin))])
