"""A tiny next-token model, trained live on the shipped corpus in a few seconds.

"토큰 시퀀스를 받아서, 다음 토큰을 예측하는 것": the model reads the last `context` token ids
and returns one score (logit) per vocabulary entry for the token that comes next. It is the
classic neural language model of Bengio et al. (2003), small enough for 2 CPU cores:

    token ids (context,) -> Embedding (context, embed_dim) -> Flatten -> Dropout
                         -> Dense + GELU -> Dropout -> Dense (vocab)

The Embedding layer is the lookup table the embeddings page opens up; its rows are recorded
after every epoch so that page can show the table taking shape.

    trainer = LMTrainer(LMConfig())
    for record in trainer.run():    # one record per epoch (epoch 0 = before training)
        draw(record)
    lm = trainer.result()           # a TrainedLM: tokenizer + model + history
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from core.text import corpus
from core.text.tokenizing import NEWLINE, BpeTokenizer, CharTokenizer

LEVELS = ("bpe", "characters")
EPOCH0_SAMPLE = 4096  # training windows scored before training


@dataclass(frozen=True)
class LMConfig:
    level: str = "bpe"          # "bpe" (subwords) or "characters"
    vocab_size: int = 1000      # BPE vocabulary (ignored for characters: the corpus decides)
    context: int = 8            # how many previous tokens the model sees (its context window)
    embed_dim: int = 16         # width of one embedding row
    hidden: int = 128           # width of the hidden Dense layer
    dropout: float = 0.3        # the corpus is small: without dropout the model memorises it
    epochs: int = 10            # a few seconds on 2 CPU cores
    batch_size: int = 128
    learning_rate: float = 3e-3  # Adam
    seed: int = 0

    def validate(self) -> LMConfig:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {self.level!r}")
        limits = {"vocab_size": (300, 4000), "context": (1, 64), "embed_dim": (2, 128),
                  "hidden": (8, 512), "epochs": (1, 60), "batch_size": (8, 2048)}
        for name, (low, high) in limits.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low} and {high}, not {value}")
        if not 0 <= self.dropout < 1:
            raise ValueError("dropout must be in [0, 1)")
        if not 0 < self.learning_rate <= 1:
            raise ValueError("learning_rate must be in (0, 1]")
        return self


@dataclass
class LMEpoch:
    epoch: int
    train_loss: float          # mean cross entropy in nats per token
    val_loss: float
    val_accuracy: float        # how often the most likely token is the right one (held-out lines)
    seconds: float             # since the run started
    embeddings: np.ndarray     # (vocab, embed_dim): the embedding table after this epoch


def build_tokenizer(config: LMConfig):
    lines = corpus.lines(split="train")
    if config.level == "characters":
        return CharTokenizer.train(lines)
    return BpeTokenizer.train(lines, config.vocab_size)


def newline_id(tokenizer) -> int:
    return tokenizer.encode(NEWLINE).ids[0]


def token_stream(tokenizer, split: str) -> np.ndarray:
    """The corpus split as one long id sequence, lines joined by the newline token."""
    return np.asarray(tokenizer.encode(corpus.text(split=split)).ids, dtype="int32")


def make_windows(ids: np.ndarray, context: int, pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Every position becomes one example: the `context` ids before it -> the id at it.
    The stream is left-padded with `pad_id` (the newline) so the first tokens have a full window."""
    stream = np.concatenate([np.full(context, pad_id, "int32"), ids])  # (context + n,)
    x = np.lib.stride_tricks.sliding_window_view(stream[:-1], context)  # (n, context)
    return np.ascontiguousarray(x), stream[context:].copy()  # (n, context), (n,)


def build_model(vocab_size: int, context: int, embed_dim: int, hidden: int, dropout: float = 0.3):
    """The next-token model: a window of token ids in, one logit per vocabulary entry out."""
    import keras

    token_ids = keras.Input(shape=(context,), dtype="int32", name="token_ids")
    x = keras.layers.Embedding(vocab_size, embed_dim, name="embedding")(token_ids)  # (batch, context, embed_dim)
    x = keras.layers.Flatten(name="flatten")(x)  # (batch, context * embed_dim)
    x = keras.layers.Dropout(dropout, name="dropout_in")(x)
    x = keras.layers.Dense(hidden, activation="gelu", name="hidden")(x)  # (batch, hidden)
    x = keras.layers.Dropout(dropout, name="dropout_hidden")(x)
    logits = keras.layers.Dense(vocab_size, name="logits")(x)  # (batch, vocab_size)
    return keras.Model(token_ids, logits, name="next_token_model")


def compile_model(model, learning_rate: float) -> None:
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
        # XLA would cost ~5 s of compiling for a ~5 s run: plain graphs win at this size.
        jit_compile=False,
        steps_per_execution=32,
    )


class LMTrainer:
    def __init__(self, config: LMConfig):
        import keras

        self.config = config.validate()
        self.tokenizer = build_tokenizer(config)
        self.vocab_size = self.tokenizer.vocab_size
        self.pad_id = newline_id(self.tokenizer)
        train_ids, val_ids = token_stream(self.tokenizer, "train"), token_stream(self.tokenizer, "val")
        self.x_train, self.y_train = make_windows(train_ids, config.context, self.pad_id)
        self.x_val, self.y_val = make_windows(val_ids, config.context, self.pad_id)
        keras.utils.set_random_seed(config.seed)
        self.model = build_model(self.vocab_size, config.context, config.embed_dim, config.hidden,
                                 config.dropout)
        compile_model(self.model, config.learning_rate)
        self.history: list[LMEpoch] = []
        self.unigram_loss = unigram_cross_entropy(train_ids, val_ids, self.vocab_size)

    def embedding_table(self) -> np.ndarray:
        return np.array(self.model.get_layer("embedding").embeddings)  # (vocab, embed_dim)

    def run(self) -> Iterator[LMEpoch]:
        """Train epoch by epoch; yields epoch 0 (the untrained model) first."""
        start = time.perf_counter()
        if not self.history:
            val_loss, val_acc = self.model.evaluate(self.x_val, self.y_val, batch_size=1024, verbose=0)
            # The untrained loss is ln(vocab) everywhere; a sample of the training set shows it.
            sample = slice(0, EPOCH0_SAMPLE)
            train_loss = self.model.evaluate(self.x_train[sample], self.y_train[sample], batch_size=1024,
                                             verbose=0)[0]
            record = LMEpoch(0, float(train_loss), float(val_loss), float(val_acc), 0.0, self.embedding_table())
            self.history.append(record)
            yield record
        for epoch in range(len(self.history), self.config.epochs + 1):
            fit = self.model.fit(self.x_train, self.y_train, batch_size=self.config.batch_size,
                                 epochs=epoch, initial_epoch=epoch - 1, shuffle=True, verbose=0,
                                 validation_data=(self.x_val, self.y_val))
            logs = fit.history
            record = LMEpoch(epoch, float(logs["loss"][-1]), float(logs["val_loss"][-1]),
                             float(logs["val_accuracy"][-1]), time.perf_counter() - start,
                             self.embedding_table())
            self.history.append(record)
            yield record

    def result(self) -> TrainedLM:
        return TrainedLM(self.config, self.tokenizer, self.model, list(self.history), self.pad_id,
                         self.unigram_loss, len(self.y_train))


def unigram_cross_entropy(train_ids: np.ndarray, val_ids: np.ndarray, vocab_size: int) -> float:
    """Loss of the best context-free guess: token frequencies of the training text (add-one
    smoothed), scored on the held-out text. A model that learned nothing from the context
    cannot beat this."""
    counts = np.bincount(train_ids, minlength=vocab_size) + 1.0
    p = counts / counts.sum()
    return float(-np.mean(np.log(p[val_ids])))


@dataclass
class TrainedLM:
    config: LMConfig
    tokenizer: object
    model: object
    history: list[LMEpoch]
    pad_id: int
    unigram_loss: float
    n_train_tokens: int
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __getstate__(self) -> dict:
        """For the disk cache: the weights, not the compiled model with its optimizer state
        (a third of the size); a lock does not pickle at all."""
        state = {k: v for k, v in vars(self).items() if k not in ("_lock", "model", "_weights")}
        return {**state, "weights": self.model.get_weights() if self.model is not None else self._weights}

    def __setstate__(self, state: dict) -> None:
        """Read from disk: the Keras model is rebuilt from its weights on first use, so a page
        that only reads the embedding table never waits for TensorFlow."""
        state = dict(state)
        weights = state.pop("weights")
        vars(self).update(state, model=None, _weights=weights, _lock=threading.Lock())

    def _keras(self):
        if self.model is None:  # called under self._lock
            config = self.config
            model = build_model(self.tokenizer.vocab_size, config.context, config.embed_dim, config.hidden,
                                config.dropout)
            model.set_weights(self._weights)
            self.model = model
        return self.model

    @property
    def n_params(self) -> int:
        if self.model is not None:
            return int(self.model.count_params())
        return int(sum(np.size(w) for w in self._weights))

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.vocab_size

    @property
    def embeddings(self) -> np.ndarray:
        return self.history[-1].embeddings

    def window(self, ids: list[int]) -> list[int]:
        """The last `context` ids, left-padded with the newline id: exactly what the model sees."""
        context = self.config.context
        ids = list(ids)[-context:]
        return [self.pad_id] * (context - len(ids)) + ids

    def next_logits(self, windows: np.ndarray) -> np.ndarray:
        """Logits for a batch of windows: (batch, context) -> (batch, vocab)."""
        with self._lock:  # one Keras call at a time: the model is shared by every session
            return np.asarray(self._keras()(np.asarray(windows, dtype="int32"), training=False))

    def logits_for(self, text: str) -> np.ndarray:
        """(vocab,) logits of the token after `text`."""
        return self.next_logits(np.array([self.window(self.tokenizer.encode(text).ids)]))[0]


# The settings the pages use. Characters: ~2.5x more positions and a smaller vocabulary, so fewer,
# larger batches keep the run to a few seconds.
DEFAULTS = {"bpe": LMConfig(),
            "characters": LMConfig(level="characters", context=24, epochs=5, batch_size=256)}


def train(config: LMConfig, on_epoch=None) -> TrainedLM:
    """Train a model for `config`. `on_epoch(record)` is called after every epoch (epoch 0 =
    untrained); the pages share the result through ui.shared, keyed by the config."""
    trainer = LMTrainer(config)
    for record in trainer.run():
        if on_epoch is not None:
            on_epoch(record)
    return trainer.result()
