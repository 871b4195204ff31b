"""200 malformed links through every parser that reads a URL: none raises, each bad value is
reported, and what comes out is always a valid experiment."""

import math

from core import classroom
from core.config import ExperimentConfig
from core.fuzz import malformed_queries
from core.i18n import LANGUAGES, normalize_language


def test_two_hundred_malformed_links_never_raise_and_stay_valid():
    queries = malformed_queries(200)
    assert len(queries) == 200
    warned = 0
    for query in queries:
        config, warnings = ExperimentConfig.from_query_params({k: [v] for k, v in query.items()})
        config.validate()  # whatever the link said, the result is a runnable experiment
        assert all(math.isfinite(x) for x in (config.noise, config.learning_rate, config.l2, config.dropout))
        assert normalize_language(query.get("lang", "en")) in LANGUAGES
        keys, refused = classroom.parse_hidden(query.get("hide"))
        assert all(k.isascii() and "<" not in k for k in keys)
        warned += bool(warnings or refused)
    assert warned > 100  # most of these links carry something to warn about


def test_a_bad_value_is_named_in_the_warning():
    _, warnings = ExperimentConfig.from_query_params({"lr": ["NaN"], "act": ["<script>"]})
    text = " ".join(w.text("en") for w in warnings)
    assert "lr" in text or "learning" in text.lower()
    assert len(warnings) >= 2
