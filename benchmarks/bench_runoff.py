"""Runoff model: fit on 100,000 simulated observations and predict for 50,000 farm-seasons.

    python benchmarks/bench_runoff.py [--n-fit 100000] [--n-predict 50000] [--repeat 3]

For each method, times `fit_runoff_model` + `predict_loads` of farmadvice.runoff.stats (validation,
fingerprint, design matrix, 5-fold cross-validation, robust covariance, diagnostics, intervals) against a
floor: statsmodels alone fitting the same model on design arrays built beforehand (column-major, as the
package's), with the same covariance type, and `X_new @ params` for the 50,000 rows. "auto" cross-validates
all three candidates, so its floor is the three statsmodels fits together. Each figure is the best of
`--repeat` runs in this process, package and floor runs interleaved.
The data are SYNTHETIC (simulate_training_data), 12 irrigation districts.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import statsmodels
import statsmodels.api as sm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from farmadvice.runoff.stats import fit_runoff_model, predict_loads, simulate_training_data
from farmadvice.runoff.stats.data import (
    PRACTICE_COLUMNS,
    RAINFALL,
    RATE,
    validate_training_data,
)


def best_of(repeat: int, *runs: Callable[[], object]) -> list[float]:
    """The best time of each run, the runs interleaved so that a busy spell on the machine hits them alike."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeat):
        for run, spent in zip(runs, times, strict=True):
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]


def design_arrays(frame) -> np.ndarray:
    """The same design as the package's, built directly (crop levels rice < vegetable < wheat).

    Column-major, like the package's: statsmodels' checks of the columns and LAPACK are faster on it, and a
    floor on a row-major copy would pay for a layout the package does not use.
    """
    crop = frame["crop"].to_numpy()
    columns = [np.ones(len(frame)), (crop == "vegetable").astype(float), (crop == "wheat").astype(float)]
    columns += [frame[name].to_numpy() for name in (RATE, RAINFALL, *PRACTICE_COLUMNS)]
    return np.asfortranarray(np.column_stack(columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-fit", type=int, default=100_000)
    parser.add_argument("--n-predict", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    training = simulate_training_data(args.n_fit, target="tn", seed=1, n_districts=12)
    farms = simulate_training_data(args.n_predict, target="tn", seed=2, n_districts=12)
    x_fit = design_arrays(training)
    x_new = design_arrays(farms)
    load = training["load_kg_per_ha"].to_numpy()
    log_load = np.log(load)
    groups = validate_training_data(training).district_codes
    gamma = sm.families.Gamma(sm.families.links.Log())
    cluster = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}

    def floor_log_ols() -> None:
        result = sm.OLS(log_load, x_fit).fit(**cluster)
        x_new @ result.params

    def floor_gamma_glm() -> None:
        result = sm.GLM(load, x_fit, family=gamma).fit(**cluster)
        x_new @ result.params

    def floor_mixedlm() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = sm.MixedLM(log_load, x_fit, groups=groups).fit(reml=True)
        x_new @ result.fe_params

    def floor_auto() -> None:
        floor_log_ols()
        floor_gamma_glm()
        floor_mixedlm()

    floors = {
        "log_ols": floor_log_ols,
        "gamma_glm": floor_gamma_glm,
        "mixedlm": floor_mixedlm,
        "auto": floor_auto,
    }
    print(
        f"runoff model benchmark: fit {args.n_fit:,} observations, predict {args.n_predict:,} farms; "
        f"best of {args.repeat}"
    )
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, statsmodels {statsmodels.__version__}, "
        f"{platform.machine()}"
    )
    print(f"{'method':<10} {'package s':>10} {'floor s':>9} {'ratio':>6}  fitted")
    for method, floor in floors.items():
        fitted: list[str] = []

        def package(method: str = method, fitted: list[str] = fitted) -> None:
            model = fit_runoff_model(training, target="tn", method=method)  # type: ignore[arg-type]
            predict_loads(model, farms)
            fitted.append(model.method)

        package_s, floor_s = best_of(args.repeat, package, floor)
        print(f"{method:<10} {package_s:>10.3f} {floor_s:>9.3f} {package_s / floor_s:>6.2f}  {fitted[-1]}")


if __name__ == "__main__":
    main()
