"""Generate `data/runoff_training_demo.csv`, the SYNTHETIC demo training set of the runoff model.

    python data/generate_runoff_training_demo.py [--out data/runoff_training_demo.csv] [--check]

Nothing in the file is a measurement: every row says `data_source = synthetic`, and data/README.md says
so. It exists so that the demo has a fitted model to show (`farmadvice.runoff.demo.load_demo_training`
loads it as `RunoffObservation` records on demo farms; `manage.py fit_runoff_model` then fits it).

The process (seeded, so the same file every time; `--check` verifies that):

1. `farmadvice.runoff.stats.simulate_training_data` draws N_ROWS field seasons for TN and, with the same
   seed, for TP. The same seed gives both the same crops, rainfall, practices, irrigation districts, plot
   areas and noise draws, so each row is one plot season with both loads measured. The P rate is then the
   N rate's position within its range mapped onto 30-90 kg P/ha, and the TN and TP noise of a row is the
   same draw: a simplification of the demo (real TN and TP losses are correlated, not identical).
2. The parameters are the package's defaults, set from published figures (stats/simulate.py):
   * the reference season (rice, 250 kg N/ha, 700 mm rain, no practice) loses 5 % of the N applied,
     12.5 kg N/ha: the runoff share for rice and wheat on the Yangtze delta plain, Xie et al. 2018,
     生态与农村环境学报 34(9) (INDICATORS.md §9);
   * TP: the reference season (60 kg P/ha) loses 0.6 kg P/ha, the published mean field runoff loss across
     six provinces and Shanghai (INDICATORS.md §9);
   * season rainfall splits Chongming's ~1,150 mm a year (shared/CHONGMING.md) into the summer rice season
     (mean 700 mm, plum rains and typhoons) and the winter wheat season (mean 450 mm);
   * N rates 150-300 kg N/ha (rice), 150-250 (wheat), 200-350 (vegetables), 3 % unfertilised controls;
   * practice effects (slow release -0.3, side-deep -0.35, fertigation -0.25, straw return -0.1 on log TN)
     are illustrative assumptions, not estimates; 12 irrigation districts with a random intercept
     (sd 0.3) and lognormal season noise (sd 0.45 on the log scale).
3. Labels for the database: crop "vegetable" becomes the crop code "vegetables" (data/crops.csv); rice
   seasons are "summer", wheat "winter", vegetables alternate "spring" and "autumn"; the years cycle
   through 2020-2025; each simulated district D01-D12 has four plots, "DEMO-Dxx-P1" .. "P4".
4. Figures are rounded to what `RunoffObservation` stores (rates 0.01 kg/ha, rainfall 0.1 mm, shares and
   loads 0.0001), so the training frame read back from the database is this file.

The demo population's own irrigation-district water samples (farmadvice/demo) are drawn around the
published six-province mean (2.4 kg N/ha a year), far below 5 % of the N applied: fitted together with this
set (the default), the district seasons pull the fit down; `fit_runoff_model --sources observations` fits
this set alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from farmadvice.runoff.stats import simulate_training_data

N_ROWS = 360
SEED = 4
N_DISTRICTS = 12
FIRST_YEAR, N_YEARS = 2020, 6
PLOTS_PER_DISTRICT = 4
OUT = Path(__file__).resolve().parent / "runoff_training_demo.csv"

SHARED = ["crop", "rainfall_mm", "slow_release_share", "side_deep", "fertigation", "straw_return", "district"]
COLUMNS = [
    "plot_code",
    "year",
    "season",
    "crop",
    "district",
    "rainfall_mm",
    "n_rate_kg_per_ha",
    "p_rate_kg_per_ha",
    "slow_release_share",
    "side_deep",
    "fertigation",
    "straw_return",
    "area_ha",
    "tn_load_kg_per_ha",
    "tp_load_kg_per_ha",
    "data_source",
]


def demo_training_frame() -> pd.DataFrame:
    """The demo set as written to the CSV (module docstring)."""
    tn = simulate_training_data(N_ROWS, target="tn", seed=SEED, n_districts=N_DISTRICTS)
    tp = simulate_training_data(N_ROWS, target="tp", seed=SEED, n_districts=N_DISTRICTS)
    for column in SHARED:
        if not tn[column].equals(tp[column]):
            raise AssertionError(
                f"the TN and TP simulations differ in {column}; the seed no longer pairs them"
            )
    rows = np.arange(N_ROWS)
    crop = tn["crop"].replace({"vegetable": "vegetables"})
    season = np.select(
        [crop == "rice", crop == "wheat", rows % 2 == 0], ["summer", "winter", "spring"], default="autumn"
    )
    frame = pd.DataFrame(
        {
            "plot_code": [
                f"DEMO-{d}-P{i % PLOTS_PER_DISTRICT + 1}" for d, i in zip(tn["district"], rows, strict=True)
            ],
            "year": FIRST_YEAR + rows % N_YEARS,
            "season": season,
            "crop": crop,
            "district": tn["district"],
            "rainfall_mm": tn["rainfall_mm"].round(1),
            "n_rate_kg_per_ha": tn["rate_kg_per_ha"].round(2),
            "p_rate_kg_per_ha": tp["rate_kg_per_ha"].round(2),
            "slow_release_share": tn["slow_release_share"].round(4),
            "side_deep": tn["side_deep"].round(4),
            "fertigation": tn["fertigation"].round(4),
            "straw_return": tn["straw_return"].round(4),
            "area_ha": tn["area_ha"],
            "tn_load_kg_per_ha": tn["load_kg_per_ha"].round(4),
            "tp_load_kg_per_ha": tp["load_kg_per_ha"].round(4),
            "data_source": tn["data_source"],
        }
    )
    return frame[COLUMNS]


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="Verify the file instead of writing it.")
    args = parser.parse_args()
    text = csv_text(demo_training_frame())
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'DIFFERS from the generator'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {N_ROWS} SYNTHETIC rows to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
