"""`streamlit run` with a clock on the server's side of the websocket, for bench.classroom_crosscheck.

Usage (as a prefix to scripts.server.start_server's command):
    python -m bench.server_clock <python> -m streamlit run ...

Patches Streamlit's AppSession (transport-independent) before running its CLI in this process,
and writes one stderr line per event, `keras-lens-clock <perf_counter> <session> <kind> <text>`:
  train   the session's request to rerun with the Lab's Train button pressed arrived;
  status  the script handed over a status line (an alert element) to be sent.
perf_counter is CLOCK_MONOTONIC, the same clock in every process of the machine.
"""

from __future__ import annotations

import sys
import time

PREFIX = "keras-lens-clock"
TRAIN_KEY = "-lab_train"


def parse(lines) -> dict[str, tuple[float | None, list[tuple[float, str]]]]:
    """Per session: (when its Train request arrived, [(when, status text)])."""
    sessions: dict[str, tuple[float | None, list[tuple[float, str]]]] = {}
    for line in lines:
        if not line.startswith(PREFIX + " "):
            continue
        _, at, session, kind, *text = line.rstrip("\n").split(" ", 4)
        train, statuses = sessions.setdefault(session, (None, []))
        if kind == "train" and train is None:
            sessions[session] = (float(at), statuses)
        elif kind == "status":
            statuses.append((float(at), text[0] if text else ""))
    return sessions


def _log(session, kind: str, text: str = "") -> None:
    sys.stderr.write(f"{PREFIX} {time.perf_counter():.6f} {session.id} {kind} {text}\n")
    sys.stderr.flush()


def install() -> None:
    from streamlit.runtime.app_session import AppSession

    handle, enqueue = AppSession.handle_backmsg, AppSession._enqueue_forward_msg

    def handle_backmsg(self, msg):
        if msg.WhichOneof("type") == "rerun_script" and any(
                w.id.endswith(TRAIN_KEY) and w.trigger_value for w in msg.rerun_script.widget_states.widgets):
            _log(self, "train")
        return handle(self, msg)

    def enqueue_forward_msg(self, msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element" \
                and msg.delta.new_element.WhichOneof("type") == "alert":
            _log(self, "status", msg.delta.new_element.alert.body.replace("\n", " "))
        return enqueue(self, msg)

    AppSession.handle_backmsg, AppSession._enqueue_forward_msg = handle_backmsg, enqueue_forward_msg


def main() -> None:
    args = sys.argv[1:]
    at = args.index("streamlit")  # [python, -m, streamlit, run, ...]
    install()
    from streamlit.web.cli import main as streamlit_main

    sys.argv = ["streamlit", *args[at + 1:]]
    streamlit_main()


if __name__ == "__main__":
    main()
