"""Tokens as HTML chips: coloured boundaries, ids, unknowns, probabilities.

Pages pass the returned string to `st.html`. Every piece of user text is escaped here.
Sizes are in em so that presentation mode's larger base font enlarges the chips too.
"""

from __future__ import annotations

import html
import re

from core.charts import PALETTE
from core.text.tokenizing import NEWLINE, SPACE_MARK, Encoding

CHIP = ("display:inline-block;margin:0.12em 0.08em;padding:0.08em 0.3em;border-radius:0.3em;"
        "font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:0.95em;line-height:1.5;"
        "white-space:pre;")
ID_STYLE = "display:block;font-size:0.75em;opacity:0.85;text-align:center;line-height:1.1;"  # 15 px presenting
BYTE_TOKEN = re.compile(r"<0x([0-9A-F]{2})>")
WRAP = "<div style='line-height:2.1;font-size:1rem;'>{}</div>"


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _label(token: str) -> str:
    """Escaped token text with the SentencePiece space mark greyed out and the newline as ⏎."""
    if token == NEWLINE:
        return "⏎"
    byte = BYTE_TOKEN.fullmatch(token)
    if byte:  # <0xEC> -> EC: a raw byte, written in hex
        return f"<span style='opacity:0.8'>{byte.group(1)}</span>"
    text = html.escape(token.replace(" ", "·"))
    return text.replace(SPACE_MARK, f"<span style='opacity:0.45'>{SPACE_MARK}</span>")


def token_chips(encoding: Encoding, show_ids: bool = True, dim_before: int = 0,
                max_tokens: int = 400) -> str:
    """One chip per token, neighbours in alternating colours so that boundaries are visible.
    Unknown tokens get a red outline. The first `dim_before` tokens are drawn faded (e.g. the
    part of a prompt outside the model's context window)."""
    chips = []
    for i, (token, token_id) in enumerate(zip(encoding.tokens[:max_tokens], encoding.ids[:max_tokens])):
        unknown = bool(encoding.unknown[i]) if i < len(encoding.unknown) else False
        colour = PALETTE[i % 6]
        border = "2px solid #D55E00" if unknown else f"1px solid {_rgba(colour, 0.55)}"
        faded = "opacity:0.35;" if i < dim_before else ""
        ids = f"<span style='{ID_STYLE}'>{token_id}</span>" if show_ids else ""
        chips.append(f"<span title='id {token_id}' style='{CHIP}background:{_rgba(colour, 0.18)};"
                     f"border:{border};{faded}'>{_label(token)}{ids}</span>")
        if token == NEWLINE:
            chips.append("<br>")
    more = len(encoding.ids) - max_tokens
    if more > 0:
        chips.append(f"<span style='opacity:0.6'> … +{more}</span>")
    return WRAP.format("".join(chips))


def probability_chips(tokens: list[str], probabilities: list[float], prefix: str = "") -> str:
    """Generated tokens shaded by the probability they had when drawn: dark = confident,
    pale = an unlikely pick that temperature or chance let through."""
    chips = [f"<span style='opacity:0.6'>{html.escape(prefix)}</span>"] if prefix else []
    for token, p in zip(tokens, probabilities):
        alpha = 0.12 + 0.7 * float(p)
        chips.append(f"<span title='p = {p:.3f}' style='{CHIP}background:{_rgba(PALETTE[0], alpha)};"
                     f"color:{'white' if p > 0.6 else 'inherit'};'>{_label(token)}</span>")
        if token == NEWLINE:
            chips.append("<br>")
    return WRAP.format("".join(chips))
