"""core.runtime.serialize_compile: one thread at a time in Python's `compile` (and so in
`ast.parse`), installed by importing core.training; compiling still gives the same code."""

import ast
import builtins
import threading
import time

import core.training  # noqa: F401 - installs it
from core import runtime


def test_importing_the_training_engine_serializes_compile_once():
    assert builtins.compile.__wrapped__ is not None
    wrapped = builtins.compile
    runtime.serialize_compile()  # a second call changes nothing
    assert builtins.compile is wrapped
    code = compile("x = 6 * 7", "<test>", "exec")
    scope = {}
    exec(code, scope)
    assert scope["x"] == 42
    assert isinstance(ast.parse("def f(a):\n    return a\n").body[0], ast.FunctionDef)


def test_a_compile_waits_while_another_thread_compiles():
    done = []
    with runtime._compile_lock:  # as if another thread were inside compile
        worker = threading.Thread(target=lambda: done.append(ast.parse("y = 1")))
        worker.start()
        time.sleep(0.2)
        assert not done  # waiting for the lock
    worker.join(5)
    assert len(done) == 1 and isinstance(done[0], ast.Module)
