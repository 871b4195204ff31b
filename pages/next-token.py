"""Next-token prediction: a tiny Keras model trained live, its next-token probabilities, and how
temperature and top-k reshape them before sampling."""

import inspect

import numpy as np
import streamlit as st

from core.charts import text as charts
from core.text import lm, render, sampling
from core.text.tokenizing import display_token
from ui import frame, lm_views, navigation, shared
from ui.frame import tr

NS = "next_token"
N_BARS, N_SAMPLES = 12, 3


def loss_figure(history, references=None, height=240):
    return charts.curves([r.epoch for r in history], {tr("next_token.train_loss"): [r.train_loss for r in history],
                                                      tr("next_token.val_loss"): [r.val_loss for r in history]},
                         tr("next_token.axis_epoch"), tr("next_token.loss"), references, height=height)


def trained_model(config: lm.LMConfig) -> lm.TrainedLM:
    """Shared with the embeddings and prompting pages (the same key)."""
    return shared.once(("lm", config), tr("next_token.training", epoch=0, epochs=config.epochs, loss="–"),
                       shared.lm_training(config, "next_token.training"), persist=shared.LM_PERSIST)


frame.header(NS)
st.session_state.setdefault("nt_prompt", tr("next_token.prompt_default"))
c1, c2, c3 = st.columns([2, 1, 1], gap="large")
with c1:
    prompt = st.text_input(tr("next_token.prompt"), key="nt_prompt", max_chars=300)
    level = st.radio(tr("next_token.level"), list(lm.DEFAULTS), key="nt_level", horizontal=True,
                     format_func={k: tr(f"next_token.levels.{k}") for k in lm.DEFAULTS}.get)
with c2:
    temperature = st.slider(tr("next_token.temperature"), 0.0, 2.0, 1.0, 0.05, key="nt_temperature",
                            help=tr("next_token.temperature_help"))
    top_k = st.slider(tr("next_token.top_k"), 0, 50, 0, 1, key="nt_top_k", help=tr("next_token.top_k_help"))
with c3:
    length = st.slider(tr("next_token.length"), 5, 100, 30, 5, key="nt_length")
    seed = int(st.number_input(tr("next_token.seed"), 0, 10_000, 0, key="nt_seed"))

config = lm.DEFAULTS[level]
model = trained_model(config)
shared.recompute_button(NS, shared.LM_PERSIST, [("lm", config)])
tok, history = model.tokenizer, model.history
model_arg = lm_views.Model(model)  # the model as the argument of its stored Keras computations
last = history[-1]
with st.expander(tr("next_token.training_done", seconds=f"{last.seconds:.1f}", tokens=f"{model.n_train_tokens:,}",
                    params=f"{model.n_params:,}", val=f"{last.val_loss:.2f}",
                    acc=f"{100 * last.val_accuracy:.0f}"), expanded=False):
    frame.plot(loss_figure(history, {tr("next_token.uniform"): float(np.log(model.vocab_size)),
                                     tr("next_token.unigram"): model.unigram_loss}, height=280), key="nt_loss")
    st.markdown(tr("next_token.loss_caption", uniform=f"{np.log(model.vocab_size):.2f}",
                   unigram=f"{model.unigram_loss:.2f}", best=f"{min(r.val_loss for r in history):.2f}"))

# What the model reads: the last `context` tokens of the prompt.
encoding = tok.encode(prompt)
frame.section(tr("next_token.sees_title"))
outside = max(0, len(encoding) - config.context)
st.html(render.token_chips(encoding, show_ids=True, dim_before=outside))
st.caption(tr("next_token.sees_caption", n=len(encoding), context=config.context, outside=outside))

logits = lm_views.logits_for(model_arg, prompt)  # (vocab,)
shown = sampling.next_token(logits, temperature, top_k, N_BARS)
p_model, p_sample, top, h_model, h_sample = shown.p_model, shown.p_sample, shown.top, shown.h_model, shown.h_sample

frame.section(tr("next_token.bars_title"))
per_row = 2 if frame.presenting() else 4  # metric labels need room on a projector
m = [cell for _ in range(4 // per_row) for cell in st.columns(per_row)]
quiet = dict(delta_color="off", delta_arrow="off")  # a delta here is a note, not a rise or fall
m[0].metric(tr("next_token.m_top"), display_token(tok.id_to_token(int(top[0]))), f"p = {p_model[top[0]]:.2f}", **quiet)
m[1].metric(tr("next_token.m_entropy_model"), tr("next_token.bits", value=f"{h_model:.2f}"))
m[2].metric(tr("next_token.m_entropy_now", t=f"{temperature:.2f}"), tr("next_token.bits", value=f"{h_sample:.2f}"),
            f"{h_sample - h_model:+.2f}", **quiet)
m[3].metric(tr("next_token.m_choices"), f"{shown.choices:,}",
            tr("next_token.m_of", n=f"{model.vocab_size:,}"), **quiet)
left, right = st.columns([3, 2], gap="large")
with left:
    frame.plot(charts.next_token_bars([display_token(tok.id_to_token(int(i))) for i in top], p_model[top].tolist(),
                                      p_sample[top].tolist(), tr("next_token.model_dist"),
                                      tr("next_token.sample_dist", t=f"{temperature:.2f}", k=top_k or "–"),
                                      tr("next_token.probability")), key="nt_bars")
with right:
    temps = np.round(np.linspace(0.0, 2.0, 41), 2)
    curve = sampling.entropy_curve(logits, temps, top_k).tolist()  # (41,) bits
    frame.plot(charts.curves(temps.tolist(), {tr("next_token.entropy"): curve},
                             tr("next_token.temperature"), tr("next_token.entropy_bits"),
                             {tr("next_token.max_entropy"): float(np.log2(model.vocab_size))}, marker_x=temperature,
                             height=360), key="nt_entropy")

frame.section(tr("next_token.generate_title"))
samples = lm_views.generate(model_arg, prompt, length, temperature, top_k, seed, N_SAMPLES)
for i, sample in enumerate(samples, start=1):
    st.markdown(tr("next_token.sample", i=i, entropy=f"{sample.mean_entropy:.2f}"))
    st.html(render.probability_chips([tok.id_to_token(t) for t in sample.ids], sample.probabilities, prefix=prompt))
distinct = len({tuple(s.ids) for s in samples})
st.caption(tr("next_token.generate_caption"))

frame.notice(NS, token=display_token(tok.id_to_token(int(top[0]))), p=f"{p_model[top[0]]:.2f}", h1=f"{h_model:.2f}",
             t=f"{temperature:.2f}", ht=f"{h_sample:.2f}", hmax=f"{np.log2(model.vocab_size):.1f}",
             top_k=(tr("next_token.top_k_on", k=top_k, kept=f"{100 * shown.kept:.0f}") if top_k
                    else tr("next_token.top_k_off", vocab=f"{model.vocab_size:,}")),
             distinct=distinct, n=N_SAMPLES, context=config.context,
             val=f"{min(r.val_loss for r in history):.2f}", unigram=f"{model.unigram_loss:.2f}")
frame.code("\n\n".join(inspect.getsource(f) for f in (sampling.apply_temperature, sampling.top_k_filter,
                                                       sampling.generate, lm.build_model)))
navigation.link_to_next(NS)
