"""The network diagram: layers as columns of neurons, links coloured by the weight's sign and
as thick as its size, each neuron a small picture of its activation over the input plane.

Drawn as plain SVG like the other live frames (core.charts.live), so it can redraw with the
decision boundary while a model trains. It is drawn at its natural size in pixels: a net too
wide for its box scrolls inside the box (ui), the page never does. Columns hold at most
`core.network.SHOWN` neurons; the rest of a layer is summarised as "+N".

Colours: orange for positive (weights and activations), blue for negative, as the decision
boundary's orange is class 1 (a high output). Negative links are also dashed, so the sign is
never carried by colour alone.
"""

from __future__ import annotations

import numpy as np

from core.charts import BASE_FONT, DIVERGING
from core.charts.live import AXIS, FONT, TEXT, _interpolate, _png, escape
from core.network import PICTURE_GRID, NetworkState

POSITIVE, NEGATIVE = DIVERGING[2][1], DIVERGING[0][1]
MAX_LINK_WIDTH = 4.0   # px (times the scale) for the largest weight of a layer
MIN_LINK_WIDTH = 0.4


def link_width(weight: float, largest: float, scale: float = 1.0) -> float:
    """A link's stroke width: proportional to |w| against the layer's largest |w|."""
    share = abs(float(weight)) / largest if largest > 0 else 0.0
    return round((MIN_LINK_WIDTH + (MAX_LINK_WIDTH - MIN_LINK_WIDTH) * min(share, 1.0)) * scale, 2)


def link_colour(weight: float) -> str:
    """Orange for a positive weight, blue for a negative one, grey for none yet (the layout of
    a config drawn before its first run)."""
    return POSITIVE if weight > 0 else NEGATIVE if weight < 0 else AXIS


def picture_rgb(values: np.ndarray, limit: float, centre: float = 0.0) -> np.ndarray:
    """(rows, cols, 3) uint8 of one neuron's activation grid, rows top to bottom (the grid's
    rows go up in y): white at `centre`, orange above, blue below, full at ±limit."""
    v = np.nan_to_num(np.asarray(values, float), nan=centre, posinf=centre + limit, neginf=centre - limit)
    t = ((v - centre) / (limit if limit > 0 else 1.0) + 1) / 2
    return _interpolate(DIVERGING, t)[::-1].round().astype(np.uint8)


def picture_limits(state: NetworkState, task: str) -> list[list[tuple[float, float]]]:
    """(centre, limit) of each neuron's picture, per column: each neuron at its own full
    scale, so its shape shows, but never finer than a twentieth of its layer's largest value,
    so a neuron that is nearly silent stays pale next to its busy neighbours. The output of
    a classifier is a probability, centred at 0.5 and full at 0 and 1 as the boundary is."""
    out = []
    last = len(state.widths) - 1
    for c, pictures in enumerate(state.pictures or []):
        if c == last and task != "regression":
            out.append([(0.5, 0.5)] * len(pictures))
            continue
        magnitude = np.abs(np.nan_to_num(pictures, nan=0.0, posinf=0.0, neginf=0.0))  # (shown, g, g)
        per_neuron = magnitude.reshape(len(pictures), -1).max(axis=1) if len(pictures) else np.zeros(0)
        floor = 0.05 * float(per_neuron.max()) if per_neuron.size else 0.0
        out.append([(0.0, max(float(m), floor, 1e-12)) for m in per_neuron])
    return out


def layout(state: NetworkState, *, scale: float = 1.0, height: float = 360.0, skip: bool = False) -> dict:
    """Where everything goes, in px: picture size, column pitch, neuron centres."""
    rows = max(state.shown(c) for c in range(len(state.widths)))
    top, bottom = 46 * scale, (40 if skip else 22) * scale
    pitch_y = (height - top - bottom) / max(rows, 1)
    picture = max(8.0, min(34 * scale, pitch_y - 4 * scale))
    pitch_x = picture + 46 * scale
    left = 30 * scale
    width = left + pitch_x * (len(state.widths) - 1) + picture + 14 * scale
    centres = []
    for c in range(len(state.widths)):
        n = state.shown(c)
        x = left + c * pitch_x + picture / 2
        first = top + (rows - n) * pitch_y / 2 + pitch_y / 2  # columns centred vertically
        centres.append([(x, first + k * pitch_y) for k in range(n)])
    return {"picture": picture, "pitch_x": pitch_x, "width": width, "height": height, "top": top,
            "centres": centres}


def diagram(state: NetworkState, *, task: str, titles: list[str], input_names: list[str],
            skip: bool = False, batchnorm: bool = False, dropout: float = 0.0, scale: float = 1.0,
            height: float = 360.0, tooltips: bool = False, selected: tuple[int, int] | None = None,
            name: str = "network", activation: str = "") -> str:
    """The whole diagram as SVG markup. `titles`: one per column (input, hidden…, output);
    `tooltips`: a <title> on every neuron and link (for an inline SVG; an <img> ignores them);
    `selected`: (column, neuron) drawn with a frame."""
    geo = layout(state, scale=scale, height=height, skip=skip)
    p, centres, font = geo["picture"], geo["centres"], BASE_FONT * scale
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{name}" width="{geo["width"]:.0f}" '
           f'height="{height:.0f}" viewBox="0 0 {geo["width"]:.0f} {height:.0f}" font-family="{FONT}" '
           f'fill="{TEXT}" font-size="{font:.1f}" style="background:white">']
    out.append(f'<style>line.p{{stroke:{POSITIVE}}} line.n{{stroke:{NEGATIVE};stroke-dasharray:{4 * scale:.0f} '
               f'{2 * scale:.0f}}} line.z{{stroke:{AXIS}}} line{{stroke-opacity:0.8}}</style>')
    out.extend(_links(state, centres, p, scale, tooltips))
    if skip:
        out.extend(_skips(state, centres, p, scale, height - 9 * scale))
    limits = picture_limits(state, task) if state.pictures is not None else None
    if limits is not None:
        out.append(_atlas(state, limits))
    last = len(state.widths) - 1
    for c, column in enumerate(centres):
        x = column[0][0] if column else 0.0
        out.append(f'<text x="{x:.1f}" y="{14 * scale:.1f}" text-anchor="middle" font-weight="bold">'
                   f'{escape(titles[c])}</text>')
        out.append(f'<text x="{x:.1f}" y="{28 * scale:.1f}" text-anchor="middle" font-size="{font * 0.8:.1f}">'
                   f'{state.widths[c]}</text>')
        if 0 < c < last:
            out.append(_badges(x, 40 * scale, scale, batchnorm, dropout))
        for k, (cx, cy) in enumerate(column):
            out.append(_neuron(state, c, k, cx, cy, p, limits, scale, tooltips,
                               input_names[k] if c == 0 and k < len(input_names) else None,
                               activation if 0 < c < last else ""))
            if c == 0 and k < len(input_names):
                out.append(f'<text x="{cx - p / 2 - 3 * scale:.1f}" y="{cy:.1f}" dy="0.35em" text-anchor="end" '
                           f'font-size="{font * 0.75:.1f}">{escape(input_names[k])}</text>')
        if state.widths[c] > len(column) and column:
            out.append(f'<text x="{x:.1f}" y="{column[-1][1] + p / 2 + 14 * scale:.1f}" text-anchor="middle" '
                       f'font-size="{font * 0.8:.1f}">+{state.widths[c] - len(column)}</text>')
    if selected is not None and selected[0] < len(centres) and selected[1] < len(centres[selected[0]]):
        cx, cy = centres[selected[0]][selected[1]]
        out.append(f'<rect x="{cx - p / 2 - 3 * scale:.1f}" y="{cy - p / 2 - 3 * scale:.1f}" width="{p + 6 * scale:.1f}" '
                   f'height="{p + 6 * scale:.1f}" fill="none" stroke="black" stroke-width="{2 * scale:.1f}"/>')
    out.append("</svg>")
    return "".join(out)


def hover_areas(state: NetworkState, *, titles: list[str], input_names: list[str], activation: str = "",
                scale: float = 1.0, height: float = 360.0, skip: bool = False) -> list[tuple[tuple[int, ...], str]]:
    """((left, top, right, bottom), text) of every drawn neuron, in the diagram's pixels: an
    image map over the diagram's <img> shows the text when the pointer rests on a neuron
    (an <img> ignores the SVG's own <title>s, and inline SVG was slow for the browser)."""
    geo = layout(state, scale=scale, height=height, skip=skip)
    p, last = geo["picture"], len(state.widths) - 1
    out = []
    for c, column in enumerate(geo["centres"]):
        for k, (cx, cy) in enumerate(column):
            if c == 0:
                text = f"{titles[0]} · {input_names[k] if k < len(input_names) else k + 1}"
            else:
                act = f" · {activation}" if 0 < c < last and activation else ""
                text = f"{titles[c]} · #{k + 1}{act} · b = {float(state.biases[c - 1][k]):.3g}"
            if state.pictures is not None:
                values = state.pictures[c][k]
                text += f" · a: {float(np.nanmin(values)):.3g} … {float(np.nanmax(values)):.3g}"
            box = tuple(round(v) for v in (cx - p / 2, cy - p / 2, cx + p / 2, cy + p / 2))
            out.append((box, text))
    return out


def _links(state: NetworkState, centres, p: float, scale: float, tooltips: bool) -> list[str]:
    """One line per (shown input, shown output) pair of each Dense layer."""
    out = []
    for layer, kernel in enumerate(state.kernels):
        n_in, n_out = len(centres[layer]), len(centres[layer + 1])
        shown = kernel[:n_in, :n_out]  # (shown inputs, shown outputs)
        finite = np.abs(shown[np.isfinite(shown)])
        largest = float(finite.max()) if finite.size else 0.0
        for i in range(n_in):
            x1, y1 = centres[layer][i]
            for j in range(n_out):
                x2, y2 = centres[layer + 1][j]
                w = float(np.nan_to_num(shown[i, j]))
                title = f"<title>w = {w:.3g}</title>" if tooltips else ""
                # Colour and dashes come from the classes (the <style> above): short markup per link,
                # as a 32-layer net draws about 2,000 of them.
                out.append(f'<line data-link="{layer}-{i}-{j}" class="{"p" if w > 0 else "n" if w < 0 else "z"}" x1="{x1 + p / 2:.0f}" '
                           f'y1="{y1:.0f}" x2="{x2 - p / 2:.0f}" y2="{y2:.0f}" '
                           f'stroke-width="{link_width(w, largest, scale)}">{title}</line>')
    return out


def _skips(state: NetworkState, centres, p: float, scale: float, y: float) -> list[str]:
    """A grey arc under each hidden layer, from its input to its output: the input is added to
    the layer's output (residual Add); dotted where a projection matches the widths."""
    out = []
    for c in range(1, len(state.widths) - 1):
        (x1, _), (x2, _) = centres[c - 1][0], centres[c][0]
        dash = "" if state.widths[c - 1] == state.widths[c] else f' stroke-dasharray="{2 * scale:.0f} {2 * scale:.0f}"'
        out.append(f'<path data-skip="{c}" d="M{x1:.1f} {y - 10 * scale:.1f} Q{(x1 + x2) / 2:.1f} {y + 6 * scale:.1f} '
                   f'{x2:.1f} {y - 10 * scale:.1f}" fill="none" stroke="#555555" stroke-width="{1.5 * scale:.1f}"{dash}/>')
    return out


def _badges(x: float, y: float, scale: float, batchnorm: bool, dropout: float) -> str:
    """Small tags under a hidden layer's title: BN (BatchNormalization), D (Dropout)."""
    tags = (["BN"] if batchnorm else []) + ([f"D{dropout:g}"] if dropout > 0 else [])
    if not tags:
        return ""
    font = BASE_FONT * scale * 0.65
    widths = [font * (0.65 * len(t) + 0.6) for t in tags]
    x0 = x - (sum(widths) + 2 * scale * (len(tags) - 1)) / 2
    parts = []
    for tag, w in zip(tags, widths):
        parts.append(f'<g data-badge="{tag[:2]}"><rect x="{x0:.1f}" y="{y - font:.1f}" width="{w:.1f}" '
                     f'height="{font * 1.3:.1f}" rx="{3 * scale:.1f}" fill="#eeeeee" stroke="{AXIS}"/>'
                     f'<text x="{x0 + w / 2:.1f}" y="{y - font * 0.35:.1f}" dy="0.35em" text-anchor="middle" '
                     f'font-size="{font:.1f}">{tag}</text></g>')
        x0 += w + 2 * scale
    return "".join(parts)


def _neuron(state: NetworkState, c: int, k: int, cx: float, cy: float, p: float, limits, scale: float,
            tooltips: bool, input_name: str | None, activation: str) -> str:
    x, y = cx - p / 2, cy - p / 2
    title = ""
    if tooltips:
        label = input_name or (f"{activation} · " if activation else "") + f"#{k + 1}"
        if c > 0:
            b = float(state.biases[c - 1][k])
            label += f" · b = {b:.3g}"
        title = f"<title>{escape(label)}</title>"
    if limits is None:
        return (f'<g data-neuron="{c}-{k}"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="{p / 2:.1f}" fill="#f7f7f7" '
                f'stroke="{AXIS}" stroke-width="{scale:.1f}"/>{title}</g>')
    g = PICTURE_GRID
    # This neuron's cell of the atlas (_atlas), shown through a nested SVG's viewBox.
    return (f'<g data-neuron="{c}-{k}"><svg x="{x:.1f}" y="{y:.1f}" width="{p:.1f}" height="{p:.1f}" '
            f'viewBox="{c * g} {k * g} {g} {g}" preserveAspectRatio="none"><use href="#atlas"/></svg>'
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{p:.1f}" height="{p:.1f}" fill="none" stroke="{AXIS}" '
            f'stroke-width="{scale:.1f}"/>{title}</g>')


def _atlas(state: NetworkState, limits) -> str:
    """Every neuron's picture in one PNG, a PICTURE_GRID-pixel cell per (neuron, column): one
    image to encode and for the browser to decode per frame instead of one per neuron (a
    32-layer net drew 260 of them)."""
    g = PICTURE_GRID
    rows, columns = max(len(p) for p in state.pictures), len(state.pictures)
    atlas = np.full((rows * g, columns * g, 3), 255, np.uint8)
    for c, pictures in enumerate(state.pictures):
        for k, values in enumerate(pictures):
            centre, limit = limits[c][k]
            atlas[k * g:(k + 1) * g, c * g:(c + 1) * g] = picture_rgb(values, limit, centre)
    return (f'<defs><image id="atlas" width="{columns * g}" height="{rows * g}" preserveAspectRatio="none" '
            f'href="data:image/png;base64,{_png(atlas)}"/></defs>')


def neuron_picture(values: np.ndarray, limit: float, centre: float, x_range: tuple[float, float],
                   y_range: tuple[float, float], *, scale: float = 1.0, size: float = 200.0,
                   name: str = "neuron") -> str:
    """One neuron's picture, large, with the plane's extent written at its corners."""
    font = (BASE_FONT - 2) * scale
    pad = 4 * font
    w, h = size + pad + 6, size + 2.2 * font
    image = _png(picture_rgb(values, limit, centre))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" data-chart="{name}" width="{w:.0f}" height="{h:.0f}" '
            f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="{FONT}" fill="{TEXT}" font-size="{font:.1f}" '
            f'style="background:white">'
            f'<image x="{pad:.1f}" y="0" width="{size:.0f}" height="{size:.0f}" preserveAspectRatio="none" '
            f'href="data:image/png;base64,{image}"/>'
            f'<rect x="{pad:.1f}" y="0" width="{size:.0f}" height="{size:.0f}" fill="none" stroke="{AXIS}"/>'
            f'<text x="{pad:.1f}" y="{size + font * 1.3:.1f}">{x_range[0]:.1f}</text>'
            f'<text x="{pad + size:.1f}" y="{size + font * 1.3:.1f}" text-anchor="end">{x_range[1]:.1f}</text>'
            f'<text x="{pad + size / 2:.1f}" y="{size + font * 1.3:.1f}" text-anchor="middle">x₁</text>'
            f'<text x="{pad - 4:.1f}" y="{size:.1f}" text-anchor="end">{y_range[0]:.1f}</text>'
            f'<text x="{pad - 4:.1f}" y="{font:.1f}" text-anchor="end">{y_range[1]:.1f}</text>'
            f'<text x="{pad - 4:.1f}" y="{size / 2:.1f}" text-anchor="end">x₂</text></svg>')


def formula(state: NetworkState, column: int, neuron: int, activation: str, input_names: list[str],
            batchnorm: bool = False, softmax: bool = False, terms: int = 8) -> str:
    """`a = act(w·x + b)` for one neuron, with its numbers: the first `terms` products, then
    how many more there are. Inputs of a hidden layer are the previous layer's outputs h."""
    kernel, bias = state.kernels[column - 1][:, neuron], float(state.biases[column - 1][neuron])
    names = input_names if column == 1 else [f"h{column - 1},{i + 1}" for i in range(len(kernel))]
    parts = []
    for i, w in enumerate(kernel[:terms]):
        sign = "−" if w < 0 else "+"
        parts.append(f"{sign} {abs(float(w)):.3g}·{names[i] if i < len(names) else f'x{i + 1}'}")
    text = " ".join(parts)
    text = text[2:] if text.startswith("+ ") else "−" + text[2:] if text.startswith("− ") else text
    if len(kernel) > terms:
        text += f" + … ({len(kernel) - terms})"
    text += f" {'−' if bias < 0 else '+'} {abs(bias):.3g}"
    z = f"BN({text})" if batchnorm else text
    if softmax:
        return f"a{neuron + 1} = softmax(z)[{neuron + 1}],  z{neuron + 1} = {text}"
    return f"a = {activation}({z})"
