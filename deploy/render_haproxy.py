"""Write an HAProxy configuration for several Keras Lens replicas from deploy/haproxy.cfg.in.

    python deploy/render_haproxy.py --bind :80 lens1:8501 lens2:8501 > haproxy.cfg

Each replica becomes `server rN HOST:PORT check cookie rN`: the name is what the sticky cookie
(LENSSRV) and the X-Replica response header carry."""

from __future__ import annotations

import argparse
from pathlib import Path

TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")


def render(bind: str, replicas: list[str]) -> str:
    if not replicas:
        raise ValueError("at least one replica (HOST:PORT) is needed")
    servers = "\n".join(f"    server r{i} {address} check inter 2s cookie r{i}"
                        for i, address in enumerate(replicas, start=1))
    return TEMPLATE.read_text().replace("@BIND@", bind).replace("@SERVERS@", servers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default=":80", help="address HAProxy listens on, e.g. :80 or 127.0.0.1:8080")
    parser.add_argument("replicas", nargs="+", help="HOST:PORT of each `streamlit run` replica")
    args = parser.parse_args()
    print(render(args.bind, args.replicas), end="")


if __name__ == "__main__":
    main()
