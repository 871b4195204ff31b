"""Bad links, at scale: 200 malformed query strings (core.fuzz), spread over every page and
opened through the entry file with Streamlit's AppTest (a real script run per link). Counts
the links whose page raised or showed no title, and the links that showed a warning. The
queries use the Lab's parameter names and the frame's (lang, present, hide); a parameter that
a page does not read is named in a warning too (ui.navigation.warn_unused_params). A link
with no parameter, or only good values, rightly shows none. The last line is exactly
`exceptions=<n>`.

Usage: python -m bench.bad_urls [--links 200]
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from core.fuzz import malformed_queries  # noqa: E402
from tests.app.conftest import open_link  # noqa: E402
from ui.navigation import available  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=200)
    args = parser.parse_args()
    pages = available()
    exceptions = untitled = warned = 0
    started = time.perf_counter()
    for i, query in enumerate(malformed_queries(args.links)):
        page = pages[i % len(pages)]
        try:
            at = open_link(page.path, query)
        except AssertionError:  # the first (home) run raised
            exceptions += 1
            continue
        exceptions += bool(at.exception)
        untitled += not at.title
        warned += bool(at.first_warnings or at.warning)
    print(f"links={args.links} pages={len(pages)} with_a_warning={warned} untitled={untitled} "
          f"seconds={time.perf_counter() - started:.0f}")
    print(f"exceptions={exceptions}")


if __name__ == "__main__":
    main()
