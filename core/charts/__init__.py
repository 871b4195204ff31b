"""Plotly figures. Functions here *return* figures and never show them.

`theme(fig, scale)` is the one place that sets fonts, line widths and the palette, so that
presentation mode (scale > 1) enlarges every chart in the app the same way. Topic modules
(`core.charts.training`, …) build figures and finish them with `theme`.
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


def theme(fig: go.Figure, scale: float = 1.0, height: int | None = None,
          title: str | None = None) -> go.Figure:
    """Apply the app's look. `scale` > 1 is presentation mode: bigger type, thicker lines."""
    # Margins a figure set for itself (room for subplot titles, say) are kept, only scaled.
    own = fig.layout.margin
    default = dict(l=50, r=20, t=40 if title else 20, b=45)
    margin = {side: round((getattr(own, side) if getattr(own, side) is not None else value) * scale)
              for side, value in default.items()}
    fig.update_layout(
        template="plotly_white",
        colorway=PALETTE,
        font=dict(size=round(BASE_FONT * scale), family="Noto Sans, Noto Sans CJK KR, sans-serif"),
        margin=margin,
        legend=dict(font=dict(size=round((BASE_FONT - 1) * scale))),
        hoverlabel=dict(font_size=round(BASE_FONT * scale)),
    )
    if title is not None:
        fig.update_layout(title=dict(text=title, font=dict(size=round((BASE_FONT + 2) * scale))))
    if height is not None:
        fig.update_layout(height=round(height * (1 + 0.25 * (scale - 1))))
    fig.update_traces(selector=dict(type="scatter", mode="lines"), line_width=2 * scale)
    fig.update_traces(selector=dict(type="scatter", mode="lines+markers"), line_width=2 * scale,
                      marker_size=6 * scale)
    fig.update_traces(selector=dict(type="scatter", mode="markers"),
                      marker=dict(size=7 * scale, line=dict(width=0.5 * scale, color="white")))
    fig.update_xaxes(title_font_size=round(BASE_FONT * scale), tickfont_size=round((BASE_FONT - 2) * scale),
                     zeroline=False)
    fig.update_yaxes(title_font_size=round(BASE_FONT * scale), tickfont_size=round((BASE_FONT - 2) * scale),
                     zeroline=False)
    return fig


def color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]
