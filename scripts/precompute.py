"""Compute the default views' results and write them to data/results/, shipped with the app.

    python -m scripts.precompute            # every page's defaults
    python -m scripts.precompute compile    # one page's

A page opened with its default settings then reads these files instead of training for the
first visitor of a fresh server (DESIGN: First contact budgets). The keys and computations are
the pages' own (same key, same function, same arguments), so a page finds them; and
tests/unit/test_shipped_results.py recomputes every file from the code and checks it matches.
Run it again whenever a lesson module changes (its source is part of each file's name)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import Callable

from core import result_files


@dataclass(frozen=True)
class Job:
    page: str
    namespace: str
    module: object          # the lesson module (or a tuple of modules) whose source names the file
    key: tuple              # the page's shared.once key
    compute: Callable       # what the page's compute does, without progress reporting

    @property
    def file_name(self) -> str:
        modules = self.module if isinstance(self.module, tuple) else (self.module,)
        return result_files.file_name(self.namespace, self.key, modules)


def overfitting_jobs() -> list[Job]:
    """The page's default settings: moons, 100 points, seed 0, dropout 0.3, early stopping off
    (one effect at a time); the BatchNorm seed race, which has no settings; and that regularizer
    setting against the baseline over seeds 0-4."""
    from core.lessons import batchnorm_race, overfitting_seeds, seed_race
    from core.lessons import overfitting as lesson

    dataset, n, seed = "moons", 100, 0
    jobs = [(c, None) for c in lesson.capacity_configs(dataset, n, seed)]
    jobs += [(c, None) for c in lesson.noise_configs(dataset, n, seed)]
    jobs += [(lesson.regularized_config(dataset, n, seed), None),
             (lesson.regularized_config(dataset, n, seed, 0.3, False, 0.0), None)]
    jobs += [(c, None) for c in lesson.batchnorm_configs(dataset, n, seed)]
    jobs += [(lesson.regularized_config(dataset, n, seed, batchnorm=True), None)]
    return [Job("overfitting", "overfitting", lesson, ("overfitting", config, patience),
                lambda config=config, patience=patience: lesson.train_run(config, patience))
            for config, patience in dict.fromkeys(jobs)] + [
        Job("overfitting", "overfitting", lesson, ("overfitting", "gradient", config, 1),
            lambda config=config: lesson.first_layer_gradient(config, 1))
        for config in lesson.batchnorm_configs(dataset, n, seed)[:2]] + [  # batch size 1, without/with BN
        Job("overfitting", "overfitting", (batchnorm_race, seed_race), ("overfitting", "bnrace"),
            lambda: batchnorm_race.batchnorm_race()),
        Job("overfitting", "overfitting", (overfitting_seeds, lesson),
            overfitting_seeds.job_key(dataset, n, 0.3, False, 0.0, None),
            lambda: overfitting_seeds.compare(dataset, n, 0.3, False, 0.0, None))]


def compile_jobs() -> list[Job]:
    """The default run (20 epochs, a new Adam, seed 0) and, at 20 epochs, continue vs compile
    again over every seed."""
    from core.lessons import compile as lesson
    from core.lessons import compile_seeds

    epochs, recompile, seed = 20, lesson.RECOMPILE_CHOICES[0], 0
    return [Job("compile", "compile", lesson, ("compile", epochs, recompile, seed),
                lambda: lesson.compile_experiment(epochs, recompile, seed)),
            Job("compile", "compile", (compile_seeds, lesson), ("compile", "seeds", epochs),
                lambda: compile_seeds.compare(epochs))]


def structure_jobs() -> list[Job]:
    from core.lessons import seed_race, structure_depth, structure_seeds
    from core.lessons import structure as lesson

    config = lesson.structure_config(lesson.STRUCTURE_DATASETS[0], lesson.parse_widths("5"), False, False)
    depth = structure_depth.DEFAULT_DEPTH
    return [Job("structure", "structure", lesson, ("structure", "hidden", config),
                lambda: lesson.train_structure(config)),
            Job("structure", "structure", (structure_seeds, lesson), ("structure", "separation", config),
                lambda: structure_seeds.separation_spread(config)),
            Job("structure", "structure", (structure_depth, seed_race), ("structure", "depth", depth),
                lambda: structure_depth.depth_race(depth))]


def activations_jobs() -> list[Job]:
    """The trained comparison of ReLU, swish and GELU on the default task (the rest of the page
    computes in milliseconds)."""
    from core.lessons import activation_race, seed_race

    task = activation_race.DEFAULT_TASK
    return [Job("activations", "activations", (activation_race, seed_race), ("activations", "race", task),
                lambda: activation_race.activation_race(task))]


def skip_jobs() -> list[Job]:
    from core import model_graph
    from core.lessons import skip as lesson

    depth, width, epochs, seed, noise = 6, 32, 20, 0, 0.35
    modules = (lesson, model_graph)  # the page's PERSIST: its results hold the models' graphs
    return [Job("skip", "skip", modules, ("skip", "lesion", depth, width, epochs, seed),
                lambda: lesson.lesion_experiment(depth, width, epochs, seed)),
            Job("skip", "skip", modules, ("skip", "unet", noise),
                lambda: {m: lesson.train_unet(m, noise=noise) for m in lesson.UNET_MERGES})]


def optimizers_jobs() -> list[Job]:
    """The learning-rate sweep (the rest of the page computes live in a second)."""
    from core.lessons import lr_sweep
    from core.lessons import optimizers as lesson

    return [Job("optimizers", "optimizers", (lr_sweep, lesson), ("optimizers", "lr_sweep"),
                lambda: lr_sweep.lr_sweep())]


def lm_jobs() -> list[Job]:
    """The next-token model every text page shares (embeddings' default width is the same)."""
    from core.text import lm

    config = lm.DEFAULTS["bpe"]
    return [Job("lm", "lm", lm, ("lm", config), lambda: lm.train(config))]


def vector_search_jobs() -> list[Job]:
    """The trained digits classifier whose hidden layers the page searches (stored as its
    weights per snapshot epoch; the activations are recomputed from them on reading)."""
    from core.text import vector_search as vs

    config = vs.DIGITS_CONFIG
    return [Job("vector-search", "vector-search", vs, ("vector_search", "run", config),
                lambda: vs.train_embedder(config))]


def deep_jobs() -> list[Job]:
    """The default grid: sigmoid, circle, 30 epochs, depths 2-32, seed 0; one file per cell,
    as the page stores them, and what guessing scores (its split needs scikit-learn, seconds to
    import on a fresh server)."""
    from core.lessons import deep as lesson

    settings = lesson.SweepSettings()
    return [Job("deep", "deep", lesson, ("deep", settings.cell_key(depth, variant)),
                lambda depth=depth, variant=variant: lesson.train_cell(settings, depth, variant))
            for depth, variant in settings.cells()] + [
        Job("deep", "deep", lesson, ("deep", "baseline", replace(settings, depths=())),
            lambda: lesson.baseline(settings))]


# Pages whose default view calls ui.stored functions: their calls are found by running the page.
STORED_PAGES = ("activations", "losses", "optimizers", "structure", "skip", "embeddings", "next-token",
                "prompting")
VIEWS = [(lang, present) for lang in ("en", "ko") for present in (False, True)]


def recorded_calls(page: str) -> list:
    """Every ui.stored call the page's default view makes, in both languages, on a screen and
    in presentation mode (AppTest runs the page in this process, as Streamlit would)."""
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from ui import frame, stored

    path = Path(__file__).resolve().parent.parent / "pages" / f"{page}.py"
    stored.RECORDED = calls = []
    try:
        for lang, present in VIEWS:
            at = AppTest.from_file(str(path), default_timeout=600)
            at.session_state["lang"], at.session_state[frame.PRESENT_KEY] = lang, present
            at.run()
            if at.exception:
                raise RuntimeError(f"{page} ({lang}): {at.exception[0].value}")
    finally:
        stored.RECORDED = None
    return list({call.file_name: call for call in calls}.values())  # each run defines its functions anew


def stored_jobs(page: str) -> list[Job]:
    return [Job(page, call.persist.namespace, call.persist.modules, call.key, call.compute)
            for call in recorded_calls(page)]


PAGES = {"overfitting": overfitting_jobs, "compile": compile_jobs, "structure": structure_jobs,
         "activations": activations_jobs, "optimizers": optimizers_jobs,
         "skip": skip_jobs, "lm": lm_jobs, "vector-search": vector_search_jobs, "deep": deep_jobs}


def main(pages: list[str]) -> None:
    from core.runtime import configure_tensorflow

    configure_tensorflow()
    result_files.SHIPPED.mkdir(parents=True, exist_ok=True)
    for page in pages or [*PAGES, *STORED_PAGES]:
        jobs = (PAGES[page]() if page in PAGES else []) + (stored_jobs(page) if page in STORED_PAGES else [])
        for job in jobs:
            if not result_files.save(job.file_name, job.compute(), result_files.SHIPPED):
                raise SystemExit(f"could not write {job.file_name}")
            size = (result_files.SHIPPED / job.file_name).stat().st_size
            print(f"{page}: {job.file_name} ({size:,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
