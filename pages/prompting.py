"""Prompting: system / user / assistant messages and temperature, on the local tiny model or an
OpenAI-compatible API; and the lecture's prompt template, put where it belongs."""

import inspect
import json
import os

import streamlit as st

from core.text import chat, lm, render, sampling
from ui import frame, lm_views, navigation, shared
from ui.frame import tr

NS = "prompting"
PRESETS = ("few_shot", "teacher", "translate")
FIELDS = ("system", "example_user", "example_assistant", "user")
N_SAMPLES, LOCAL_TOKENS = 3, 24


def api_settings() -> chat.ApiSettings | None:
    """st.secrets raises when there is no secrets.toml (or it does not parse): then only the environment counts."""
    try:
        secrets = st.secrets.to_dict()
    except FileNotFoundError:
        secrets = {}
    return chat.find_settings(secrets, os.environ)


def use_preset():
    for name in FIELDS:
        st.session_state[f"pr_{name}"] = tr(f"prompting.presets.{st.session_state['pr_preset']}.{name}")


def trained_model(config: lm.LMConfig) -> lm.TrainedLM:
    """Shared with the embeddings and next-token pages (the same key)."""
    return shared.once(("lm", config), tr("prompting.training", epoch=0, epochs=config.epochs),
                       shared.lm_training(config, "prompting.training"), persist=shared.LM_PERSIST)


frame.header(NS)
settings = api_settings()
if "pr_system" not in st.session_state:
    st.session_state["pr_preset"] = PRESETS[0]
    use_preset()

left, right = st.columns([3, 2], gap="large")
with left:
    st.selectbox(tr("prompting.preset"), PRESETS, key="pr_preset", on_change=use_preset,
                 format_func={k: tr(f"prompting.presets.{k}.label") for k in PRESETS}.get)
    system = st.text_area(tr("prompting.role.system"), key="pr_system", height=80, max_chars=1000)
    a, b = st.columns(2)
    example_user = a.text_area(tr("prompting.role.example_user"), key="pr_example_user", height=80, max_chars=500)
    example_assistant = b.text_area(tr("prompting.role.example_assistant"), key="pr_example_assistant", height=80,
                                    max_chars=500)
    user = st.text_area(tr("prompting.role.user"), key="pr_user", height=80, max_chars=1000)
with right:
    temperature = st.slider(tr("prompting.temperature"), 0.0, 2.0, 0.7, 0.05, key="pr_temperature")
    max_tokens = st.slider(tr("prompting.max_tokens"), 16, 512, 128, 16, key="pr_max_tokens")
    backends = ["local", "api"] if settings else ["local"]
    backend = st.radio(tr("prompting.backend"), backends, key="pr_backend",
                       format_func={k: tr(f"prompting.backends.{k}") for k in backends}.get)
    if settings:
        st.success(tr("prompting.configured", source=tr(f"prompting.sources.{settings.source}"), model=settings.model,
                      base=settings.base_url or "api.openai.com"))
if not settings:  # the page's width, not the settings column: in 2/5 it was a tall narrow strip
    st.info(tr("prompting.not_configured"))
    st.code(f'[openai]\napi_key = "..."           # {tr("prompting.toml.key")}\n'
            f'base_url = "https://…/v1"  # {tr("prompting.toml.base_url")}\n'
            f'model = "gpt-4o-mini"      # {tr("prompting.toml.model")}', language="toml")

messages = chat.build_messages(system, [(example_user, example_assistant)], user)
if not any(m.role == "user" for m in messages):
    st.warning(tr("prompting.no_user"))
    st.stop()

frame.section(tr("prompting.request_title"))
payload = chat.request_payload(messages, settings.model if settings else chat.DEFAULT_MODEL, temperature, max_tokens)
st.json(payload, expanded=True)
st.caption(tr("prompting.request_caption", n=len(messages)))

if backend == "api" and settings:
    frame.section(tr("prompting.api_title"))
    signature = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    send, wait = st.columns([1, 2], vertical_alignment="bottom")
    timeout = wait.slider(tr("prompting.timeout"), 2, 60, int(chat.DEFAULT_TIMEOUT), key="pr_timeout",
                          help=tr("prompting.timeout_help"))
    if send.button(tr("prompting.send"), key="pr_send", type="primary"):
        try:
            with st.spinner(tr("prompting.sending", seconds=timeout), show_time=True):
                reply = chat.chat_completion(messages, settings, temperature, max_tokens, timeout=timeout)
            st.session_state["pr_reply"] = (signature, {"text": reply.text, "model": reply.model,
                                                         "seconds": reply.seconds, "tokens": reply.completion_tokens})
        except chat.ChatError as error:
            st.session_state["pr_reply"] = (signature, {"error": error.kind, "detail": error.detail})
    stored = st.session_state.get("pr_reply")
    if stored and stored[0] == signature:
        result = stored[1]
        if "error" in result:
            st.error(tr(f"prompting.errors.{result['error']}", detail=result["detail"]))
        else:
            st.markdown(result["text"])
            st.caption(tr("prompting.api_caption", model=result["model"], seconds=f"{result['seconds']:.1f}",
                          tokens=result["tokens"] if result["tokens"] is not None else "?"))

# The local tiny model: the messages flattened into one text.
frame.section(tr("prompting.local_title"))
model = trained_model(lm.DEFAULTS["bpe"])
shared.recompute_button(NS, shared.LM_PERSIST, [("lm", lm.DEFAULTS["bpe"])])
tok, context = model.tokenizer, model.config.context
model_arg = lm_views.Model(model)  # the model as the argument of its stored Keras computations
flat = chat.local_prompt(messages)
encoding = tok.encode(flat)
system_tokens = len(tok.encode(chat.local_prompt(messages[:1]))) if messages[0].role == "system" else 0
visible_system = max(0, system_tokens - max(0, len(encoding) - context))
c1, c2 = st.columns(2, gap="large")
with c1:
    st.markdown(tr("prompting.local_reads", n=len(encoding), context=context))
    st.html(render.token_chips(encoding, show_ids=False, dim_before=max(0, len(encoding) - context)))
with c2:
    st.markdown(tr("prompting.chatml"))
    st.code(chat.chat_template(messages), language=None, wrap_lines=True)

without_system = [m for m in messages if m.role != "system"]
p_with = sampling.softmax(lm_views.logits_for(model_arg, flat))
p_without = sampling.softmax(lm_views.logits_for(model_arg, chat.local_prompt(without_system)))
tv = sampling.total_variation(p_with, p_without)
st.markdown(tr("prompting.system_effect", system=system_tokens, visible=visible_system, context=context,
               tv=f"{tv:.3f}"))

samples = lm_views.generate(model_arg, flat, LOCAL_TOKENS, temperature, 0, 0, N_SAMPLES)  # seed 0
for i, sample in enumerate(samples, start=1):
    st.markdown(tr("prompting.local_sample", i=i, t=f"{temperature:.2f}"))
    st.html(render.probability_chips([tok.id_to_token(t) for t in sample.ids], sample.probabilities,
                                     prefix=messages[-1].content))
distinct = len({tuple(s.ids) for s in samples})

# The lecture's prompt template, and where it belongs.
frame.section(tr("prompting.lecture_title"))
sentence = st.text_input(tr("prompting.lecture_sentence"), value=tr("prompting.lecture_sentence_default"),
                         key="pr_lecture_sentence", max_chars=200)
lecture = chat.capture_request(lambda client: chat.lecture_request(client, sentence))
fixed = chat.capture_request(lambda client: chat.corrected_request(client, sentence))
for title, function, request in (("prompting.lecture_version", chat.lecture_request, lecture),
                                 ("prompting.corrected_version", chat.corrected_request, fixed)):
    st.markdown(f"**{tr(title)}**")
    st.code(inspect.getsource(function), language="python", wrap_lines=True)
    c1, c2 = st.columns(2, gap="large")
    with c1:
        st.markdown(tr("prompting.sends", method=request.method, path=request.path))
        st.json(request.body, expanded=True)
    with c2:
        st.markdown(tr("prompting.model_reads"))
        st.code(chat.text_the_model_reads(request.body), language=None, wrap_lines=True)
try:
    import openai

    openai.Completion.create(model="text-davinci-003", prompt=sentence)
    removed = "-"
except openai.OpenAIError as error:
    removed = str(error).strip().splitlines()[0]
frame.claim_vs_measurement(tr("prompting.claim"), tr("prompting.measured", model=lecture.body.get("model", ""),
                                                      reads=chat.text_the_model_reads(lecture.body), removed=removed))

frame.notice(NS, n=len(messages), tokens=len(encoding), context=context, system=system_tokens, visible=visible_system,
             tv=f"{tv:.3f}", t=f"{temperature:.2f}", distinct=distinct, samples=N_SAMPLES)
ran = [chat.build_messages, chat.local_prompt, sampling.generate] + ([chat.chat_completion] if backend == "api" else [])
frame.code("\n\n".join(inspect.getsource(function) for function in ran))
navigation.link_to_next(NS)
