"""Plotly figures. Functions here *return* figures and never show them.

`theme(fig, scale)` is the one place that sets fonts, line widths and the palette, so that
presentation mode (scale > 1) enlarges every chart in the app the same way. Topic modules
(`core.charts.lab`, …) build figures and finish them with `theme`.
"""

from __future__ import annotations

import plotly.graph_objects as go

# Okabe & Ito's colour-blind-safe palette (black last: it is the "reference" colour).
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
# Two-class diverging scale for decision boundaries: blue (class 0) to orange (class 1).
DIVERGING = [[0.0, "#0072B2"], [0.5, "#f7f7f7"], [1.0, "#E69F00"]]
SEQUENTIAL = "Viridis"
BASE_FONT = 14
PRESENTATION_SCALE = 1.5


def _template_name(scale: float) -> str:
    """Register (once) and name a small template for this scale.

    A small template of our own instead of plotly_white: assigning plotly_white to a figure
    costs ~20 ms of validation, ours ~1 ms, which matters when a chart is redrawn ten times a
    second during training."""
    import plotly.io as pio

    name = f"keras_lens_{scale:g}"
    if name not in pio.templates:
        size = round(BASE_FONT * scale)
        axis = dict(gridcolor="#E5ECF6", linecolor="#BBBBBB", zeroline=False, automargin=True,
                    title=dict(font=dict(size=size)), tickfont=dict(size=round((BASE_FONT - 2) * scale)))
        scene_axis = {k: v for k, v in axis.items() if k != "automargin"}
        pio.templates[name] = go.layout.Template(
            layout=dict(
                colorway=PALETTE, paper_bgcolor="white", plot_bgcolor="white",
                font=dict(size=size, family="Noto Sans, Noto Sans CJK KR, sans-serif", color="#2a3f5f"),
                legend=dict(font=dict(size=round((BASE_FONT - 1) * scale))),
                hoverlabel=dict(font=dict(size=size)), xaxis=axis, yaxis=axis,
                scene=dict(xaxis=scene_axis, yaxis=scene_axis, zaxis=scene_axis),
                colorscale=dict(sequential=SEQUENTIAL),
            ),
            data=dict(
                # Trace defaults: thicker lines and bigger markers in presentation mode.
                scatter=[go.Scatter(line=dict(width=2 * scale), marker=dict(size=6 * scale))],
                scattergl=[go.Scattergl(line=dict(width=2 * scale), marker=dict(size=6 * scale))],
                scatter3d=[go.Scatter3d(marker=dict(size=3 * scale))],
            ),
        )
    return name


def theme(fig: go.Figure, scale: float = 1.0, height: int | None = None,
          title: str | None = None) -> go.Figure:
    """Apply the app's look. `scale` > 1 is presentation mode: bigger type, thicker lines."""
    from core.charts import marks

    marks.distinguish(fig)  # colour is never the only difference between a legend's series
    # Margins a figure set for itself (room for subplot titles, say) are kept, only scaled.
    own = fig.layout.margin
    default = dict(l=50, r=20, t=40 if title else 20, b=45)
    margin = {side: round((getattr(own, side) if getattr(own, side) is not None else value) * scale)
              for side, value in default.items()}
    layout = dict(template=_template_name(float(scale)), margin=margin)
    if title is not None:
        layout["title"] = dict(text=title, font=dict(size=round((BASE_FONT + 2) * scale)))
    if height is not None:
        layout["height"] = round(height * (1 + 0.25 * (scale - 1)))
    if scale != 1.0:
        # Subplot titles are annotations: the template's font does not reach them.
        fig.update_annotations(font_size=round(BASE_FONT * scale))
    fig.update_layout(**layout)
    return fig


def _use_our_template_by_default() -> None:
    """Figures built anywhere in the app start from our small template, not plotly's."""
    import plotly.io as pio

    pio.templates.default = _template_name(1.0)


def wrap(text: str, width: int) -> str:
    """`text` broken at spaces into lines of at most `width` characters (a longer word keeps its
    own line), joined with <br>: Plotly never wraps annotation or tick text by itself."""
    import textwrap

    return "<br>".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


def text_ems(text: str) -> float:
    """About how wide `text` is drawn, in em: Hangul and other wide characters a full em,
    others about half."""
    import unicodedata

    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def fit(text: str, ems: float) -> str:
    """`text` broken at spaces into lines about `ems` em wide, joined with <br>. Unlike `wrap`,
    which counts characters, a Hangul (or other wide) character counts a full em and a Latin
    one about half, so English and Korean titles wrap at the same drawn width."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_ems(lines[-1]) + 0.3 + text_ems(word) <= ems:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines) or text


def legend_below(**kwargs) -> dict:
    """A horizontal legend on the figure's bottom edge (yref="container"). Plotly reserves its
    rows there and lays the x-axis ticks and title out above them, at any font size; a legend
    at a paper fraction (y=-0.25) stays put while presentation mode's larger axis type grows
    into it."""
    return dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, **kwargs)


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


_use_our_template_by_default()
