"""House rules a machine can check: imports flow one way, and i18n catalogues match."""

import ast
import subprocess
import sys
from pathlib import Path

from core.i18n import LANGUAGES, catalogue, t

ROOT = Path(__file__).resolve().parents[2]


def test_core_never_imports_streamlit_in_a_fresh_interpreter():
    modules = sorted({".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                      for p in (ROOT / "core").rglob("*.py")})
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "bad = [m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')]\n"
            "print('streamlit' if bad else 'clean')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("clean")


def test_core_sources_have_no_streamlit_import():
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] in ("streamlit", "ui", "pages") for n in names), path


def test_registry_modules_do_not_import_tensorflow():
    code = ("import sys\nimport core.config, core.activations, core.losses, core.optimizers, core.datasets, "
            "core.i18n, core.codegen\nprint('tensorflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "False", done.stderr[-2000:]


def test_catalogues_have_identical_keys_and_placeholders():
    import string

    en = catalogue("en")
    for lang in LANGUAGES:
        other = catalogue(lang)
        assert set(other) == set(en), (lang, sorted(set(en) ^ set(other))[:10])
        for key, text in en.items():
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            other_fields = {f for _, f, _, _ in string.Formatter().parse(other[key]) if f}
            assert fields == other_fields, (lang, key)


def test_missing_key_shows_itself_and_korean_differs():
    assert t("no.such.key", "ko") == "no.such.key"
    assert t("app.show_code", "ko") != t("app.show_code", "en")
