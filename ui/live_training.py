"""Live training on the script thread, drawn through `st.empty` placeholders.

Each draw is a point where Streamlit may interrupt the run (a widget change, Stop, a closed
tab): its control exceptions pass through untouched; `finally` closes the run's generator,
records the run in the session and gives the training slot back.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from core import probes, runs
from core.datasets import class_names, plane_limits
from core.charts import PALETTE
from core.charts import live as live_charts
from core.charts import lab as charts
from ui import admission, fair_training, kept_pictures, lab_layout, lab_network
from ui.frame import lang, plot, scale, tr

# While a run is live the charts are light SVG frames (core.charts.live): Streamlit makes the
# browser rebuild a Plotly chart from scratch for every new figure, and with Plotly frames a
# 2-core machine that trains and runs the browser too (a teacher's laptop on a projector, CI)
# fell 10-35 s behind the server. Rates at which both keep up:
DRAW_INTERVAL = 0.1         # status and curves: up to ten redraws a second
BOUNDARY_INTERVAL = 0.5     # the decision boundary (image + points): twice a second
WATCH_BOUNDARY_INTERVAL = 0.2  # when watching (a paced run), five times a second
PROJECTION_INTERVAL = 1.0   # projections and gradient norms: once a second
LIVE_PROJECTION_POINTS = 250  # of the probe set, drawn per panel while a run is live


class LabViews:
    """The placeholders of the Lab and how to draw a Trainer's state into them."""

    def __init__(self, is_2d: bool, places: dict | None = None):
        """`places`: the page's containers (ui.lab_layout.places); without them, one column."""
        places = places or {name: st.container() for name in ("network", "curves", "boundary", "status", "inspect")}
        self.network_height, self.curves_height, self.boundary_height = lab_layout.heights()
        self.network = places["network"].empty()
        self.curves = places["curves"].empty()
        # Without a plane to draw, the curves take the boundary's height too.
        self.boundary = places["boundary"].empty() if is_2d else None
        if not is_2d:
            self.curves_height += self.boundary_height
        self.status = places["status"].empty()
        self.inspect = places["inspect"].empty()
        self.tabs = st.tabs([tr("lab.tabs.hidden"), tr("lab.tabs.gradients"), tr("lab.tabs.compare"),
                             tr("lab.tabs.results"), tr("lab.tabs.code")])
        with self.tabs[0]:
            self.projections = st.empty()
        with self.tabs[1]:
            self.gradients = st.empty()
        self._last_projection = 0.0
        self._last_boundary = 0.0
        self.boundary_interval = BOUNDARY_INTERVAL
        self.boundary_epoch: int | None = None  # the snapshot the interactive boundary shows
        self._aligned: dict[int, np.ndarray] = {}
        self._draws = 0
        self.note: str | None = None  # appended to the status line (ui.fair_training: runs sharing the server)

    # ---- drawing -------------------------------------------------------------------------
    def draw(self, trainer, log_y: bool, live: bool = True) -> None:
        """Draw the latest state. While live, frames are light SVG (core.charts.live) and the
        heavier views are drawn less often; when the run is over, interactive Plotly charts."""
        self._draws += 1
        self.status_line(trainer)
        history = trainer.history
        if not history:
            return
        self.draw_curves(trainer, history, log_y, live)
        latest = next((r.snapshot for r in reversed(history) if r.snapshot is not None), None)
        if latest is None:
            return
        now = time.perf_counter()
        if self.boundary is not None and (not live or now - self._last_boundary >= self.boundary_interval):
            self._last_boundary = now
            if self.boundary is not None:
                self.draw_boundary(trainer, latest, live=live)
            self.draw_network(trainer, latest, live=live)
        if live and now - self._last_projection >= PROJECTION_INTERVAL:
            self._last_projection = now
            self.draw_live_projection(trainer, latest)
            self.draw_gradients(trainer, live=True)

    def draw_network(self, trainer, snapshot, live: bool = False) -> None:
        """The network diagram of `snapshot`; once the run is over, with its inspector."""
        if snapshot.network is None:
            return
        lab_network.draw(self.network, trainer.config, snapshot.network, trainer.task, self.network_height, live)
        if not live:
            with self.inspect.container():
                lab_network.inspector(trainer, snapshot)

    def draw_curves(self, trainer, history, log_y: bool, live: bool) -> None:
        """The loss and metric curves of `history` (the whole run, or up to a replayed
        snapshot): earlier runs of this session faintly behind, the training-mode loss when
        BatchNorm or Dropout make it differ, and a mark where a live setting changed."""
        arrays = runs.curves_arrays(history)
        earlier = _earlier_runs(trainer)
        marks = [(epoch, _change_text(changes)) for epoch, changes in trainer.changes if epoch <= arrays["epoch"][-1]]
        fit = arrays["fit_loss"] if _shows_fit_loss(trainer.config) else None
        if live:
            _svg_into(self.curves, live_charts.lines(_curve_panels(arrays, trainer.metric_name, log_y, fit, earlier,
                                                                   marks), scale=scale(),
                                                     height=self.curves_height, x_titles=False))
            return
        def figure():
            fig = charts.loss_curves(arrays["epoch"], arrays["train_loss"], arrays["val_loss"], arrays["train_metric"],
                                     arrays["val_metric"], trainer.metric_name, log_y, lang(), fit_loss=fit,
                                     earlier=earlier, marks=marks)
            # Short, beside the network: the x axes are epochs (the status line says so).
            return fig.update_xaxes(title_text=None, nticks=3).update_layout(
                legend=dict(y=-0.24, yanchor="top", font=dict(size=round(11 * scale()))), margin=dict(b=10))

        if history is not trainer.history:  # a part of the run (not kept)
            plot_into(self.curves, figure(), "lab_curves", height=self.curves_height)
            return
        view = (log_y, len(history), tuple(marks), tuple((label, len(epochs)) for label, epochs, _ in earlier))
        kept_pictures.plot_kept(self.curves, trainer, "lab_curves", view, figure, height=self.curves_height)

    def draw_boundary(self, trainer, snapshot, live: bool = False) -> None:
        self.boundary_epoch = None if live else snapshot.epoch
        xs, ys = trainer.grid_axes
        probe = trainer.probe_set
        if live:
            _svg_into(self.boundary, live_charts.boundary(xs, ys, snapshot.boundary, trainer.task, probe.points,
                                                    probe.labels, probe.is_val, trainer.n_classes, scale=scale(),
                                                    legend=(tr("lab.chart.train_points"), tr("lab.chart.val_points")),
                                                    class_names=class_names(trainer.config.dataset)),
                      max_height=self.boundary_height)
            return

        def figure():
            fig = charts.decision_boundary(
                xs, ys, snapshot.boundary, trainer.task, probe.points, probe.labels, probe.is_val,
                trainer.n_classes, snapshot.boundary_confidence, lang(), class_names(trainer.config.dataset))
            # Beside the curves: a slim colour bar and one small row of legend, so the map keeps the
            # height (it was ~140 px tall under a legend that wrapped into a column).
            fig.update_traces(colorbar=dict(thickness=8, len=0.9, title=dict(font=dict(size=round(11 * scale())))),
                              selector=dict(type="heatmap"))
            fig.update_xaxes(title_text=None).update_yaxes(title_text=None)  # the plane: x₁ across, x₂ up
            return fig.update_layout(legend=dict(y=-0.1, font=dict(size=round(10 * scale())), itemwidth=30),
                                     margin=dict(l=40, r=10, t=10, b=10))

        kept_pictures.plot_kept(self.boundary, trainer, "lab_boundary", (snapshot.epoch,), figure,
                                height=self.boundary_height)

    def draw_live_projection(self, trainer, snapshot) -> None:
        """Each layer's PCA, rotated onto what was drawn before so points do not flip.

        PCA is fitted on the whole probe set; only every k-th point is drawn while live,
        all of them (interactive) once the run ends."""
        keep = slice(None, None, max(1, len(trainer.probe_set.labels) // LIVE_PROJECTION_POINTS))
        projected = [(tr("lab.chart.input_space"), probes.pca(trainer.probe_set.x))]
        for i, acts in enumerate(snapshot.hidden, start=1):
            proj = probes.pca(acts)
            if i in self._aligned:
                rotation = probes.procrustes_rotation(proj.coords, self._aligned[i])
                proj = probes.Projection(proj.coords @ rotation, proj.explained, proj.total_dims)
            self._aligned[i] = proj.coords
            projected.append((tr("lab.chart.layer", n=i), proj))
        panels = [(title, f"{proj.total_dims}-d → 2-d · "
                   + tr("lab.chart.explained", pct=round(100 * float(proj.explained.sum()))), proj.coords[keep])
                  for title, proj in projected]
        _svg_into(self.projections, live_charts.projections(panels, trainer.probe_set.labels[keep], trainer.task,
                                                      trainer.n_classes, scale=scale()))

    def draw_gradients(self, trainer, live: bool = False) -> None:
        epochs = runs.snapshot_epochs(trainer)
        if not epochs:
            return
        norms = {name: [runs.snapshot_at(trainer, e).grad_norms[name] for e in epochs]
                 for name in trainer.kernel_layer_names}
        if live:
            # Every other layer dashed: neighbouring layers differ by more than their colour.
            series = [(name, epochs, values, charts.layer_colour(i, len(norms)), i % 2 == 1)
                      for i, (name, values) in enumerate(norms.items())]
            _svg_into(self.gradients, live_charts.lines(
                [{"title": tr("lab.chart.grad_norm"), "x_title": tr("lab.chart.epoch"), "log_y": True,
                  "series": series}], scale=scale(), name="gradients"))
            return
        kept_pictures.plot_kept(self.gradients, trainer, "lab_grads", (tuple(epochs),),
                                lambda: charts.gradient_norms(epochs, norms, lang()))

    def preview(self, config) -> None:
        """Before the first run: the network's layout and the data points (cheap, no
        TensorFlow needed)."""
        self.curves.caption(tr("lab.status.curves_here"))
        if config is None:
            return
        lab_network.draw(self.network, config, lab_network.structure(config), config.task, self.network_height,
                         live=True)
        if self.boundary is None:
            return
        data = _preview_split(config.dataset, config.n_samples, config.noise, config.val_split, config.seed)

        points = np.concatenate([data.points_train, data.points_val])
        labels = np.concatenate([data.y_train, data.y_val])
        is_val = np.concatenate([np.zeros(len(data.y_train), bool), np.ones(len(data.y_val), bool)])
        # An SVG frame, like the live boundary: no Plotly on the page until a run has ended,
        # so a click on Train does not wait for the browser to redraw a Plotly chart.
        xs, ys = plane_limits(points)
        _svg_into(self.boundary, live_charts.boundary(xs, ys, None, data.task, points, labels, is_val,
                                                      data.n_classes, scale=scale(), name="preview",
                                                      legend=(tr("lab.chart.train_points"), tr("lab.chart.val_points")),
                                                      class_names=class_names(config.dataset)),
                  max_height=self.boundary_height)

    def status_line(self, trainer) -> None:
        last = trainer.history[-1] if trainer.history else None
        if last is None:
            return
        metric = tr(f"lab.chart.{trainer.metric_name}")
        speed = trainer.epochs_per_second
        text = tr("lab.status.line", epoch=last.epoch, loss=f"{last.train_loss:.4g}",
                  val_loss=f"{last.val_loss:.4g}", metric=metric, val_metric=f"{last.val_metric:.3f}",
                  speed=f"{speed:.0f}" if speed else "…")
        if _shows_fit_loss(trainer.config) and last.epoch > 0:
            text += " · " + tr("lab.status.fit_loss", loss=f"{last.fit_loss:.4g}")
        state = tr(f"lab.status.{trainer.status}")
        if self.note and trainer.status == "running":
            text = f"{text} · {self.note}"
        if trainer.status == "running" and trainer.compiling:
            state = f"{state} · {tr('lab.status.compiling')}"
        if trainer.status == "running" and trainer.pace:
            state = f"{state} · {tr('lab.status.watching')}"
        if trainer.status == "stopped" and trainer.stop_reason in ("stop", "patience", "target"):
            state = f"{state} · " + tr(f"lab.status.why_{trainer.stop_reason}", patience=trainer.config.patience,
                                       target=f"{trainer.config.target_loss:g}")
        if trainer.status == "diverged":
            self.status.error(f"{state} · {text}")
        elif trainer.status == "running":
            self.status.info(f"{state} · {text}")
        else:
            self.status.success(f"{state} · {text}")


_keys = kept_pictures.names
EARLIER_COLOUR = "#c4c4c4"  # earlier runs, drawn faintly behind the current one
MARK_COLOUR = "#7f7f7f"


def _shows_fit_loss(config) -> bool:
    """The training-mode loss differs from the inference-mode one by more than the epoch's
    drift only when layers behave differently in training: BatchNorm and Dropout."""
    return bool(config.batchnorm or config.dropout > 0)


def _earlier_runs(trainer) -> list[tuple[str, list, list]]:
    """(label, epochs, training loss) of this session's other remembered runs."""
    number = st.session_state.get("lab_run_numbers", {}).get(trainer.run_id)
    return [(f"#{run['number']}", run["epochs"], run["train_loss"])
            for run in st.session_state.get("lab_runs", []) if run["number"] != number]


def _change_text(changes: dict) -> str:
    return ", ".join(f"{tr(f'lab.controls.{name}')} {_short(old)} → {_short(new)}" for name, (old, new) in changes.items())


def _short(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _curve_panels(arrays: dict, metric: str, log_y: bool, fit=None, earlier=(), marks=()) -> list[dict]:
    """The live curves: loss (left) and metric (right), training solid, validation dashed;
    earlier runs' training loss faint grey, the training-mode loss dotted, changes as marks."""
    train, val, epoch = tr("lab.chart.train"), tr("lab.chart.val"), tr("lab.chart.epoch")
    panels = [{"title": tr(f"lab.chart.{name}"), "x_title": epoch, "log_y": log and log_y,
               "series": [(train, arrays["epoch"], arrays[f"train_{key}"], PALETTE[0], False),
                          (val, arrays["epoch"], arrays[f"val_{key}"], PALETTE[1], True)]}
              for name, key, log in (("loss", "loss", True), (metric, "metric", False))]
    loss = panels[0]["series"]
    if fit is not None:
        loss.append((tr("lab.chart.fit_loss"), arrays["epoch"], fit, PALETTE[2], True))
    last = arrays["epoch"][-1]
    for _, epochs, values in earlier:  # up to the current run's last epoch: its axis stays its own
        keep = np.asarray(epochs) <= max(last, 1)
        loss.insert(0, (tr("lab.chart.earlier_runs"), np.asarray(epochs)[keep], np.asarray(values)[keep],
                        EARLIER_COLOUR, False))
    values = np.concatenate([np.asarray(s[2], float) for s in loss])
    values = values[np.isfinite(values) & ((values > 0) | (not log_y))]
    if marks and values.size:
        for epoch_mark, _ in marks:
            loss.append((tr("lab.chart.changed"), np.array([epoch_mark, epoch_mark]),
                         np.array([values.min(), values.max()]), MARK_COLOUR, True))
    return panels


@st.cache_data(show_spinner=False, max_entries=32)
def _preview_split(dataset: str, n: int, noise: float, val_split: float, seed: int):
    from core.datasets import make_split

    return make_split(dataset, n, noise, val_split, seed)


def _svg_into(placeholder, markup: str, max_height: int | None = None) -> None:
    """Show a live SVG frame, as an image (see core.charts.live.as_image); a square frame at
    most `max_height` px tall."""
    image = live_charts.as_image(markup)
    if max_height is not None:
        image = image.replace(f"max-height:{live_charts.CURVES_HEIGHT}px", f"max-height:{max_height}px", 1)
    placeholder.markdown(image, unsafe_allow_html=True)


def plot_into(placeholder, fig, key: str, height: int | None = None) -> None:
    """Replace a placeholder's figure. Each drawing gets a fresh element key: the same chart
    may be drawn more than once within one script run."""
    with placeholder.container():
        plot(fig, key=f"{key}_{next(_keys)}", height=height, numbers=False)  # redrawn live: numbers on the Lab's metrics


def start_run(config, views: LabViews):
    """A new Trainer for `config`. The status line says what is happening and the data
    preview stays on screen meanwhile: on the first run of an architecture the wait before
    epoch 0 is TensorFlow building the model and tracing its functions."""
    from ui import warmup

    admission.leave()  # from here the run waits (TensorFlow's import, its turns)
    views.preview(config)
    if not warmup.wait(timeout=0.01):
        views.status.info(tr("app.loading_tf"))
        warmup.wait()
    views.status.info(tr("lab.status.building"))
    return fair_training.build_trainer(config)


def train_live(trainer, epochs: int, views: LabViews, log_y: bool) -> None:
    """Run `epochs` more epochs in the run's turns (ui.fair_training), redrawing as often as the
    server's frame budget allows (at most every DRAW_INTERVAL seconds; a watched run is paced by
    its trainer, and its boundary is redrawn more often)."""
    admission.leave()  # the turns keep their own fair order (ui.fair_training)
    if trainer.pace:
        views.boundary_interval = WATCH_BOUNDARY_INTERVAL
    with fair_training.scheduled(trainer, views) as session:
        if not trainer.history and trainer.compiling:  # its first turn traces its functions
            views.status.info(f"{tr('lab.status.running')} · {tr('lab.status.compiling')}")
        run = trainer.run(epochs)
        redraws = fair_training.Redraws(DRAW_INTERVAL, session)
        try:
            for _ in run:  # a turn's records are all in the history before the first comes
                if redraws.due(trainer.history[-1]):
                    views.note = fair_training.sharing_note(session)
                    redraws.draw(lambda: views.draw(trainer, log_y))
                    trainer.shown_epoch = trainer.history[-1].epoch
        finally:
            run.close()
            remember(trainer)
    views.note = None
    views.draw(trainer, log_y, live=False)


def settle(trainer, timeout: float = 3.0) -> None:
    """Wait for an interrupted run to wind down.

    Streamlit (1.67, fast reruns) starts the new script run at once and stops the old one at
    its next drawing call, a fraction of a second later. Until then the Trainer still says
    "running"; waiting here lets the new run show the stopped state and the kept history.
    The trainer is asked to stop as well: the old run then ends at its next chunk boundary
    even if its next drawing call is far off (a slow draw on a busy server). A Stop click has
    asked already (ui.lab_buttons); any other rerun may let the run go on afterwards
    (`Trainer.resumable`), so it is marked as interrupted, not stopped."""
    if trainer.status != "running":
        return
    admission.leave()  # waiting for the old run: not in other learners' way
    trainer.interrupt()
    deadline = time.perf_counter() + timeout
    while trainer.status == "running" and time.perf_counter() < deadline:
        time.sleep(0.02)


def remember(trainer) -> None:
    """Keep the run's summary in the session (the last 8 runs) for comparison."""
    s = st.session_state
    if not trainer.history:
        return
    number = s.setdefault("lab_run_numbers", {}).get(trainer.run_id)
    if number is None:
        number = s.get("lab_run_counter", 0) + 1
        s["lab_run_counter"] = number
        s["lab_run_numbers"] = {trainer.run_id: number}
    s["lab_runs"] = runs.remember(s.get("lab_runs", []), runs.summarize(trainer, number))
