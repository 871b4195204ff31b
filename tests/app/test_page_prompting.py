"""Prompting page: offline on the local model, and against a real OpenAI-compatible HTTP server on
127.0.0.1 configured through the environment or st.secrets (good key, bad key)."""

import pytest

from tests.app.conftest import ROOT, assert_clean, run_page
from tests.unit.test_text_chat import BAD_KEY, GOOD_KEY, FakeOpenAI

PAGE = "pages/prompting.py"


@pytest.fixture(scope="module")
def server():
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture(autouse=True)
def no_api_in_environment(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)


def text(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_offline_in_both_languages(lang):
    at = run_page(PAGE, lang)
    assert_clean(at)
    assert at.radio(key="pr_backend").options == [at.radio(key="pr_backend").options[0]], "local only"
    assert at.info and any("OPENAI_API_KEY" in i.value for i in at.info), "says how to configure a key"
    assert at.json[0].value and '"messages"' in at.json[0].value
    assert "404" in text(at)


def test_every_offline_control(lang):
    at = run_page(PAGE, lang)
    at.selectbox(key="pr_preset").set_value("teacher").run()
    assert_clean(at)
    assert at.text_area(key="pr_example_user").value == "", "the teacher preset has no example"
    at.text_area(key="pr_system").set_value("")
    at.text_area(key="pr_example_user").set_value("The cat sleeps in the")
    at.text_area(key="pr_example_assistant").set_value("garden.")
    at.text_area(key="pr_user").set_value("The dog sleeps in the")
    at.slider(key="pr_temperature").set_value(0.0)
    at.slider(key="pr_max_tokens").set_value(64)
    at.text_input(key="pr_lecture_sentence").set_value("안녕하세요")
    at.run()
    assert_clean(at)
    assert '"max_tokens": 64' in at.json[0].value.replace(":64", ": 64")
    assert "**1 " in text(at) or "**1가지**" in text(at), "temperature 0: every local continuation is the same"
    assert "`안녕하세요`" in text(at), "the lecture's version: the model reads only the sentence"
    at.text_area(key="pr_example_user").set_value("")
    at.text_area(key="pr_user").set_value(" ").run()
    assert_clean(at)
    assert at.warning


def test_api_through_environment(server, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", GOOD_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    monkeypatch.setenv("OPENAI_MODEL", "tiny-echo")
    at = run_page(PAGE, "en")
    assert_clean(at)
    at.radio(key="pr_backend").set_value("api").run()
    at.slider(key="pr_temperature").set_value(0.5).run()
    at.button(key="pr_send").click().run()
    assert_clean(at)
    assert any(m.value.startswith("echo: The dog sleeps in the (T=0.5)") for m in at.markdown)
    assert server.requests[-1]["body"]["model"] == "tiny-echo"
    everything = str([e.value for e in at.main if hasattr(e, "value")])
    assert GOOD_KEY not in everything


def test_bad_key_through_secrets(server):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=120)
    at.session_state["lang"] = "ko"
    at.secrets["openai"] = {"api_key": BAD_KEY, "base_url": server.base_url, "model": "tiny-echo"}
    at.run()
    assert_clean(at)
    assert at.success, "the page says where the configuration came from"
    at.radio(key="pr_backend").set_value("api").run()
    at.button(key="pr_send").click().run()
    assert_clean(at)
    assert at.error and "401" in at.error[0].value
    assert BAD_KEY not in at.error[0].value and BAD_KEY not in at.success[0].value
