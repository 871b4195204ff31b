"""Figures for the parallel/skip page: what Add and Concatenate do to two branches, the
lesion experiment (delete blocks at test time), and the U-Net's denoised digits."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.charts import PALETTE

PLAIN_COLOR = PALETTE[7]      # black: the reference "plain" net
RESIDUAL_COLOR = PALETTE[3]   # vermillion, the colour skips have in the graphs
MERGE_COLORS = {"concatenate": PALETTE[0], "add": PALETTE[2], "none": PALETTE[7]}


def merge_figure(H: np.ndarray, H1: np.ndarray, merged: np.ndarray, merge: str, titles: dict) -> go.Figure:
    """The first example's H, H1 and merged vectors as rows of cells with their values: Add
    sums cell by cell (same width), Concatenate puts H1 after H (widths add up)."""
    width = max(H.shape[0], H1.shape[0], merged.shape[0])
    rows = [H, H1, merged]
    z = np.full((3, width), np.nan)
    for r, row in enumerate(rows):
        z[r, :row.shape[0]] = row
    text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:.2f}")(np.nan_to_num(z)))
    fig = go.Figure(go.Heatmap(z=z, text=text, texttemplate="%{text}", colorscale="Viridis",
                               showscale=False, xgap=2, ygap=6, hovertemplate=titles["hover"]))
    names = ["H", "H1", titles["merged"]]
    fig.update_yaxes(tickvals=[0, 1, 2], ticktext=names, autorange="reversed", showgrid=False)
    fig.update_xaxes(title_text=titles["units"], showgrid=False, tickmode="linear", dtick=1)
    if merge == "concatenate":
        # Bracket which cells of the merged row came from which branch.
        a = H.shape[0]
        fig.add_shape(type="rect", x0=-0.5, x1=a - 0.5, y0=1.55, y1=2.45,
                      line=dict(color=PALETTE[0], width=3))
        fig.add_shape(type="rect", x0=a - 0.5, x1=merged.shape[0] - 0.5, y0=1.55, y1=2.45,
                      line=dict(color=PALETTE[1], width=3))
    fig.update_layout(height=230)
    return fig


def lesion_blocks_figure(result, titles: dict) -> go.Figure:
    """Validation accuracy with one block deleted, per block, for both nets."""
    fig = go.Figure()
    blocks = result.blocks
    for net, color, name in ((result.plain, PLAIN_COLOR, titles["plain"]),
                             (result.residual, RESIDUAL_COLOR, titles["residual"])):
        fig.add_trace(go.Bar(x=[str(b) for b in blocks], y=[net.per_block[b] for b in blocks], name=name,
                             marker_color=color, opacity=0.85,
                             hovertemplate=titles["hover_block"]))
        fig.add_hline(y=net.base_accuracy, line=dict(color=color, dash="dash", width=2))
    fig.add_hline(y=result.chance, line=dict(color="#888", dash="dot", width=1.5))
    # Legend entries for the reference lines.
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=titles["intact"],
                             line=dict(color="#555", dash="dash", width=2)))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=titles["chance"],
                             line=dict(color="#888", dash="dot", width=1.5)))
    fig.update_layout(barmode="group", xaxis_title=titles["block"], yaxis_title=titles["accuracy"],
                      yaxis_range=[0, 1.02], legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def lesion_count_figure(result, titles: dict) -> go.Figure:
    """Mean (band: min to max) validation accuracy against how many blocks are deleted."""
    fig = go.Figure()
    for net, color, name in ((result.plain, PLAIN_COLOR, titles["plain"]),
                             (result.residual, RESIDUAL_COLOR, titles["residual"])):
        k = [c[0] for c in net.by_count]
        lo = [c[2] for c in net.by_count]
        hi = [c[3] for c in net.by_count]
        fig.add_trace(go.Scatter(x=k + k[::-1], y=hi + lo[::-1], mode="lines", fill="toself", fillcolor=color,
                                 opacity=0.15, line=dict(width=0), hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=k, y=[c[1] for c in net.by_count], mode="lines+markers", name=name,
                                 line=dict(color=color), hovertemplate=titles["hover_count"]))
    fig.add_hline(y=result.chance, line=dict(color="#888", dash="dot", width=1.5))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=titles["chance"],
                             line=dict(color="#888", dash="dot", width=1.5)))
    fig.update_layout(xaxis_title=titles["count"], yaxis_title=titles["accuracy"], yaxis_range=[0, 1.02],
                      xaxis=dict(tickmode="linear", dtick=1),
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    return fig


def unet_images_figure(runs: dict, shown: list[str], titles: dict) -> go.Figure:
    """Rows: the noisy input, each shown U-Net's output, the clean digit; one column per example."""
    first = runs[shown[0]]
    rows = [("noisy", first.noisy)] + [(m, runs[m].denoised) for m in shown] + [("clean", first.clean)]
    k = first.noisy.shape[0]
    fig = make_subplots(rows=len(rows), cols=k, horizontal_spacing=0.01, vertical_spacing=0.03)
    for r, (name, images) in enumerate(rows, start=1):
        for c in range(k):
            fig.add_trace(go.Heatmap(z=images[c], meta="picture", zmin=0, zmax=1, colorscale="Greys", showscale=False,
                                     hovertemplate=titles["hover"]), row=r, col=c + 1)
        fig.update_yaxes(title_text=titles["rows"][name], row=r, col=1)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(autorange="reversed", showticklabels=False, ticks="", showgrid=False, zeroline=False)
    fig.update_layout(height=110 * len(rows) + 30, margin=dict(l=110))
    return fig


def unet_mse_figure(runs: dict, titles: dict) -> go.Figure:
    names = list(runs)
    fig = go.Figure(go.Bar(x=[titles["merges"][m] for m in names], y=[runs[m].val_mse for m in names],
                           marker_color=[MERGE_COLORS[m] for m in names],
                           text=[f"{runs[m].val_mse:.4f}" for m in names], textposition="outside"))
    noisy = next(iter(runs.values())).noisy_mse
    fig.add_hline(y=noisy, line=dict(color="#888", dash="dot"), annotation_text=titles["noisy"],
                  annotation_position="top right")
    fig.update_layout(yaxis_title=titles["mse"], yaxis_range=[0, noisy * 1.25], showlegend=False)
    return fig
