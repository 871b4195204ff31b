"""Malformed query strings, for the tests and bench/bad_urls.py: what a mistyped, truncated,
hostile or simply old link can carry. Seeded, so a failure can be reproduced by its index."""

from __future__ import annotations

import random

from core.config import ExperimentConfig

APP_PARAMS = ("lang", "present", "hide")
BAD_VALUES = (
    "", " ", "NaN", "nan", "inf", "-inf", "1e309", "-1", "0", "-0", "1e9", "99999999999999999999",
    "3.5.1", "0x1F", "true", "None", "null", "[]", "{}", "{lang}", "%00", "\x00", "\n", "'; DROP TABLE",
    "<script>alert(1)</script>", "</style>", "한국어", "활성화-함수", "😀", "ü" * 5, "a" * 5000,
    "-".join(["8"] * 500), "8--8", "-", "relu-relu", "x1-x9", "adam,sgd", "0.5.5", "1/0", "..",
)


def query_names() -> tuple[str, ...]:
    return tuple(ExperimentConfig().to_query_params()) + APP_PARAMS


def malformed_queries(n: int = 200, seed: int = 0) -> list[dict[str, str]]:
    """`n` query dicts: some known names with bad values, some unknown names, some empty."""
    rng = random.Random(seed)
    names = query_names()
    out: list[dict[str, str]] = []
    for i in range(n):
        query: dict[str, str] = {}
        for _ in range(rng.randint(0, 6)):
            name = rng.choice(names) if rng.random() < 0.85 else rng.choice(["x", "ｌａｎｇ", "n" * 300, "a b"])
            query[name] = rng.choice(BAD_VALUES) if rng.random() < 0.8 else str(rng.uniform(-1e12, 1e12))
        if i % 10 == 0:  # a bad value for the frame's own parameters in every tenth link
            query[rng.choice(APP_PARAMS)] = rng.choice(BAD_VALUES[:30])
        out.append(query)
    return out
