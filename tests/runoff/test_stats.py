"""The runoff statistics package, on SYNTHETIC data simulated from known coefficients.

No database and no Django. Every seed is fixed and every tolerance is stated with its reason: coverage rates
are compared with their nominal 95 % within several binomial standard errors.
"""

import json
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from farmadvice.runoff.stats import (
    AREA,
    CROP,
    DISTRICT,
    FERTIGATION,
    LOAD,
    MIN_OBSERVATIONS,
    RAINFALL,
    RATE,
    SIDE_DEEP,
    SLOW_RELEASE,
    STRAW_RETURN,
    FittedModel,
    InsufficientDataError,
    RunoffDataError,
    RunoffModelError,
    engines,
    fit_runoff_model,
    predict_loads,
    required_observations,
    scenario_reduction,
    simulate_training_data,
    training_fingerprint,
)
from farmadvice.runoff.stats import data as stats_data
from farmadvice.runoff.stats.data import (
    EMPTY_TEXT,
    LOAD_NOT_POSITIVE,
    MISSING_COLUMN,
    MISSING_RATE,
    MISSING_VALUES,
    NOT_NUMERIC,
    SHARE_OUT_OF_RANGE,
    validate_training_data,
)
from farmadvice.runoff.stats.design import (
    DROPPED_TERM_USED,
    UNKNOWN_CROP,
    build_training_design,
)
from farmadvice.runoff.stats.errors import INSUFFICIENT_DATA
from farmadvice.runoff.stats.intervals import log_gamma_quantiles
from farmadvice.runoff.stats.models import (
    MIXEDLM_FALLBACK,
    MIXEDLM_NOT_CANDIDATE,
    MODEL_DICT_INVALID,
    NO_DISTRICT_COLUMN,
    ONE_DISTRICT,
)
from farmadvice.runoff.stats.predict import (
    AREA_COLUMNS,
    LOAD_COLUMNS,
    REDUCTION_AREA_COLUMNS,
    REDUCTION_COLUMNS,
    SCENARIO_ROWS_DIFFER,
)
from farmadvice.runoff.stats.simulate import DATA_SOURCE, DEFAULT_COEFFICIENTS, SYNTHETIC

TRUE_TN = DEFAULT_COEFFICIENTS["tn"]


def simulate(n, *, seed, target="tn", n_districts=0, distribution="lognormal", **kwargs):
    return simulate_training_data(
        n, target=target, seed=seed, n_districts=n_districts, distribution=distribution, **kwargs
    )


@pytest.fixture(scope="module")
def tn_data():
    return simulate(600, seed=11)


@pytest.fixture(scope="module")
def tn_model(tn_data):
    return fit_runoff_model(tn_data, target="tn", method="log_ols")


# (1) The 95 % confidence intervals contain the true coefficients.


@pytest.mark.parametrize(
    ("method", "distribution", "n_districts"),
    [("log_ols", "lognormal", 0), ("gamma_glm", "gamma", 0), ("mixedlm", "lognormal", 12)],
)
def test_confidence_intervals_contain_true_coefficients_at_the_nominal_rate(
    method, distribution, n_districts
):
    """Over 60 simulated data sets (n = 400) each coefficient's 95 % CI holds its true value.

    One data set cannot show this: nine intervals all hold with probability 0.95^9 = 0.63, so a single
    seed would be a lottery. Each coefficient must be covered in at least 85 % of the 60 data sets (3.5
    binomial standard errors below 95 %), and all 540 intervals together in 92-98 % (3 SE).
    """
    covered = []
    for replication in range(60):
        data = simulate(400, seed=1000 + replication, n_districts=n_districts, distribution=distribution)
        model = fit_runoff_model(data, target="tn", method=method)
        assert model.method == method
        covered.append([c.ci_low <= TRUE_TN[c.name] <= c.ci_high for c in model.coefficients])
    rates = np.mean(covered, axis=0)
    assert rates.min() >= 0.85, dict(zip(TRUE_TN, rates, strict=True))
    assert 0.92 <= np.mean(covered) <= 0.98


def test_estimates_approach_the_true_coefficients_with_much_data():
    """With 20,000 observations every estimate is within 0.05 of its true value (log scale)."""
    model = fit_runoff_model(simulate(20_000, seed=5), target="tn", method="log_ols")
    for coefficient in model.coefficients:
        assert coefficient.estimate == pytest.approx(TRUE_TN[coefficient.name], abs=0.05)
    assert model.scale == pytest.approx(0.45**2, rel=0.05)


# (2) 95 % prediction intervals cover 95 % of new seasons.


@pytest.mark.parametrize(
    ("method", "distribution", "n_districts"),
    [("log_ols", "lognormal", 0), ("gamma_glm", "gamma", 0), ("mixedlm", "lognormal", 12)],
)
def test_prediction_intervals_cover_95_percent_of_held_out_seasons(method, distribution, n_districts):
    """Fit on 2,000 seasons, predict 4,000 others: 93-97 % fall inside (binomial SE 0.34 %)."""
    data = simulate(6000, seed=21, target="tp", n_districts=n_districts, distribution=distribution)
    training, held_out = data.iloc[:2000], data.iloc[2000:]
    model = fit_runoff_model(training, target="tp", method=method)
    predicted = predict_loads(model, held_out)
    inside = (held_out[LOAD] >= predicted["pi_low"]) & (held_out[LOAD] <= predicted["pi_high"])
    assert 0.93 <= inside.mean() <= 0.97


@pytest.mark.parametrize(
    ("method", "distribution", "n_districts"),
    [("log_ols", "lognormal", 0), ("gamma_glm", "gamma", 0), ("mixedlm", "lognormal", 12)],
)
def test_expected_loads_add_up_to_the_loads_of_new_seasons(method, distribution, n_districts):
    """Fit on 5,000 seasons: the expected loads of 20,000 others sum to their simulated total within 2 %.

    The total's sampling error is about 0.4 % and the fitted level's about 0.7 %, so 2 % is three SEs.
    """
    data = simulate(25_000, seed=13, n_districts=n_districts, distribution=distribution)
    training, held_out = data.iloc[:5000], data.iloc[5000:]
    model = fit_runoff_model(training, target="tn", method=method)
    predicted = predict_loads(model, held_out)
    assert predicted["load_kg_per_ha"].sum() == pytest.approx(held_out[LOAD].sum(), rel=0.02)


def test_gamma_interval_quantiles_match_monte_carlo():
    """Quantiles of s Z + log G match 10^6 simulated draws within 0.01 on the log scale."""
    rng = np.random.default_rng(3)
    for shape, sd in [(5.0, 0.0), (5.0, 0.3), (1.5, 0.8)]:
        draws = sd * rng.standard_normal(1_000_000) + np.log(rng.gamma(shape, 1 / shape, 1_000_000))
        expected = np.quantile(draws, [0.025, 0.975])
        computed = log_gamma_quantiles(shape, np.array([sd, sd / 2]), (0.025, 0.975))[0]
        np.testing.assert_allclose(computed, expected, atol=0.01)


# (3) Bad input is refused with a message that names the column and the rows.


def test_a_row_without_a_rate_is_refused_naming_the_rows(tn_data):
    data = tn_data.copy()
    data.loc[[5, 17], RATE] = np.nan
    with pytest.raises(RunoffDataError) as caught:
        fit_runoff_model(data, target="tn")
    assert caught.value.template == MISSING_RATE
    assert caught.value.column == RATE
    assert caught.value.rows == (5, 17)
    assert "rows 5, 17" in str(caught.value)


def test_zero_and_negative_loads_are_refused(tn_data):
    data = tn_data.copy()
    data.loc[3, LOAD] = 0.0
    data.loc[9, LOAD] = -0.4
    with pytest.raises(RunoffDataError) as caught:
        fit_runoff_model(data, target="tn")
    assert caught.value.template == LOAD_NOT_POSITIVE
    assert caught.value.rows == (3, 9)


@pytest.mark.parametrize("column", [RAINFALL, CROP, STRAW_RETURN])
def test_missing_values_are_refused_naming_column_and_rows(tn_data, column):
    data = tn_data.copy()
    data.loc[[8, 40], column] = None
    with pytest.raises(RunoffDataError) as caught:
        fit_runoff_model(data, target="tn")
    assert caught.value.template == MISSING_VALUES
    assert caught.value.column == column
    assert caught.value.rows == (8, 40)


@pytest.mark.parametrize(
    ("column", "value", "template"),
    [
        (RATE, "about 200", NOT_NUMERIC),
        (SIDE_DEEP, 1.5, SHARE_OUT_OF_RANGE),
        (CROP, "  ", EMPTY_TEXT),
    ],
)
def test_impossible_values_are_refused(tn_data, column, value, template):
    data = tn_data.copy()
    data[column] = data[column].astype(object)
    data.loc[4, column] = value
    with pytest.raises(RunoffDataError) as caught:
        fit_runoff_model(data, target="tn")
    assert (caught.value.template, caught.value.column, caught.value.rows) == (template, column, (4,))


def test_a_missing_column_is_named(tn_data):
    with pytest.raises(RunoffDataError) as caught:
        fit_runoff_model(tn_data.drop(columns=[RAINFALL]), target="tn")
    assert caught.value.template == MISSING_COLUMN
    assert caught.value.column == RAINFALL


def test_decimal_values_from_the_database_are_accepted(tn_data, tn_model):
    """Numbers that arrive as Decimal objects give the same fit as floats."""
    data = tn_data.copy()
    data[RATE] = [Decimal(repr(v)) for v in data[RATE]]
    assert fit_runoff_model(data, target="tn", method="log_ols").params == pytest.approx(
        tn_model.params, rel=1e-12
    )


def test_a_practice_no_observation_uses_is_dropped_and_cannot_be_predicted(tn_data):
    data = tn_data.assign(**{SIDE_DEEP: 0.0})
    model = fit_runoff_model(data, target="tn", method="log_ols")
    assert "dropped: side_deep (no observation uses it)" in model.diagnostics.notes
    assert SIDE_DEEP not in model.design.terms
    assert SIDE_DEEP not in model.formula
    assert len(predict_loads(model, data.iloc[:5])) == 5

    scenario = data.iloc[:5].assign(**{SIDE_DEEP: 1.0})
    with pytest.raises(RunoffModelError) as caught:
        predict_loads(model, scenario)
    assert caught.value.template == DROPPED_TERM_USED
    assert caught.value.column == SIDE_DEEP
    with pytest.raises(RunoffModelError):
        scenario_reduction(model, data.iloc[:5], scenario)


def test_a_practice_too_few_observations_use_is_dropped(tn_data):
    """Five side-deep seasons cannot estimate its effect: dropped, and the model does not predict it."""
    data = tn_data.assign(**{SIDE_DEEP: 0.0})
    data.loc[:4, SIDE_DEEP] = 1.0
    model = fit_runoff_model(data, target="tn", method="log_ols")
    assert (
        "dropped: side_deep (only 5 observations differ from 0, at least 10 are needed to estimate its effect)"
        in model.diagnostics.notes
    )
    with pytest.raises(RunoffModelError):
        predict_loads(model, data.iloc[:5])


def test_a_practice_used_exactly_where_another_is_is_dropped(tn_data):
    """fertigation == side_deep in every row: the second is dropped; only rows that keep the tie predict."""
    data = tn_data.assign(**{FERTIGATION: tn_data[SIDE_DEEP]})
    model = fit_runoff_model(data, target="tn", method="log_ols")
    assert any(
        note.startswith("dropped: fertigation (a linear combination") for note in model.diagnostics.notes
    )
    assert len(predict_loads(model, data)) == len(data)
    broken = data.iloc[:3].assign(**{SIDE_DEEP: 1.0, FERTIGATION: 0.0})
    with pytest.raises(RunoffModelError):
        predict_loads(model, broken)


def test_a_crop_level_without_observations_is_noted_and_not_predicted(tn_data):
    data = tn_data.copy()
    data[CROP] = pd.Categorical(data[CROP], categories=["rice", "vegetable", "wheat", "citrus"])
    model = fit_runoff_model(data, target="tn", method="log_ols")
    assert "dropped: crop level 'citrus' (no observation)" in model.diagnostics.notes
    with pytest.raises(RunoffModelError) as caught:
        predict_loads(model, tn_data.iloc[:3].assign(**{CROP: "citrus"}))
    assert caught.value.template == UNKNOWN_CROP
    assert caught.value.rows == (0, 1, 2)


def test_a_crop_with_too_few_observations_is_left_out(tn_data):
    data = tn_data.copy()
    data.loc[:4, CROP] = "citrus"
    model = fit_runoff_model(data, target="tn", method="log_ols")
    assert model.n_obs == len(data) - 5
    assert any("crop level 'citrus' (only 5 observations" in note for note in model.diagnostics.notes)
    assert model.design.crop_levels == ("rice", "vegetable", "wheat")


@pytest.mark.parametrize(
    ("districts", "why"),
    [("D01", ONE_DISTRICT.format(district="D01")), (None, NO_DISTRICT_COLUMN)],
)
def test_mixedlm_without_districts_to_group_fits_log_ols_and_says_so(tn_data, districts, why):
    """One district (or none) cannot carry a random intercept: the same model without it, noted."""
    data = tn_data if districts is None else tn_data.assign(**{DISTRICT: districts})
    model = fit_runoff_model(data, target="tn", method="mixedlm")
    assert model.method == "log_ols"
    assert model.diagnostics.requested_method == "mixedlm"
    assert MIXEDLM_FALLBACK.format(why=why) in model.diagnostics.notes
    assert model.random_effect_variance is None
    auto = fit_runoff_model(data, target="tn")
    assert [row.method for row in auto.diagnostics.cv_table] == ["log_ols", "gamma_glm"]
    if districts is not None:
        assert MIXEDLM_NOT_CANDIDATE.format(why=why) in auto.diagnostics.notes


def test_too_few_observations_raise_insufficient_data_at_the_threshold():
    """Rice only (one crop, fertigation unused): the floor of 80 applies; 79 raise, 80 fit."""
    rice = simulate(400, seed=31).query("crop == 'rice'").reset_index(drop=True)
    with pytest.raises(InsufficientDataError) as caught:
        fit_runoff_model(rice.iloc[:79], target="tn", method="log_ols")
    assert (caught.value.n, caught.value.required) == (79, MIN_OBSERVATIONS)
    assert caught.value.template == INSUFFICIENT_DATA
    assert fit_runoff_model(rice.iloc[:80], target="tn", method="log_ols").n_obs == 80


def test_more_parameters_need_more_observations():
    """Three crops, rate, rainfall, four practices (9 coefficients), the dispersion and tau^2: 110 for
    mixedlm; 100 without tau^2."""
    data = simulate(109, seed=32, n_districts=12)
    data[FERTIGATION] = np.arange(109) % 2  # so that every practice varies enough to stay in the model
    assert len(build_training_design(validate_training_data(data)).spec.terms) == 9
    with pytest.raises(InsufficientDataError) as caught:
        fit_runoff_model(data, target="tn", method="mixedlm")
    assert (caught.value.n, caught.value.required) == (109, 110)
    assert required_observations(11) == 110
    # Enough for the coefficients and the dispersion, too few for tau^2 as well: auto leaves mixedlm out.
    model = fit_runoff_model(data.iloc[:100], target="tn")
    assert [row.method for row in model.diagnostics.cv_table] == ["log_ols", "gamma_glm"]
    assert any("too few to estimate the district variance" in note for note in model.diagnostics.notes)


@pytest.mark.parametrize(
    "arguments",
    [{"target": "nh3"}, {"target": "tn", "method": "ridge"}, {"target": "tn", "k_folds": 1}],
)
def test_bad_arguments_are_refused(tn_data, arguments):
    with pytest.raises(ValueError):
        fit_runoff_model(tn_data, **arguments)


# (4) The stored dict predicts exactly as the fitted model.


@pytest.mark.parametrize(("method", "n_districts"), [("log_ols", 12), ("gamma_glm", 0), ("mixedlm", 12)])
def test_the_json_dict_round_trip_predicts_identical_values(method, n_districts):
    data = simulate(800, seed=41, n_districts=n_districts)
    model = fit_runoff_model(data, target="tn", method=method)
    stored = json.loads(json.dumps(model.to_dict(), allow_nan=False))
    restored = FittedModel.from_dict(stored)
    assert restored == model
    farms = simulate(300, seed=42, n_districts=n_districts)
    pd.testing.assert_frame_equal(predict_loads(restored, farms), predict_loads(model, farms))
    scenario = farms.assign(**{RATE: farms[RATE] * 0.8})
    pd.testing.assert_frame_equal(
        scenario_reduction(restored, farms, scenario, n_sim=500),
        scenario_reduction(model, farms, scenario, n_sim=500),
    )


def test_a_damaged_dict_is_refused(tn_model):
    stored = tn_model.to_dict()
    del stored["covariance"]
    with pytest.raises(RunoffModelError) as caught:
        FittedModel.from_dict(stored)
    assert caught.value.template == MODEL_DICT_INVALID
    with pytest.raises(RunoffModelError):
        FittedModel.from_dict({**tn_model.to_dict(), "schema": "something else"})


def test_the_model_records_what_a_reviewer_needs(tn_data, tn_model):
    diagnostics = tn_model.diagnostics
    assert tn_model.formula == (
        "np.log(load_kg_per_ha) ~ C(crop) + rate_kg_per_ha + rainfall_mm + slow_release_share "
        "+ side_deep + fertigation + straw_return"
    )
    assert tn_model.n_obs == 600
    assert diagnostics.cov_type == "HC3"
    assert diagnostics.r_squared is not None and 0 < diagnostics.r_squared < 1
    assert diagnostics.aic is not None
    assert tn_model.smearing_factor == pytest.approx(np.exp(0.45**2 / 2), rel=0.05)
    assert [q for q, _ in diagnostics.residual_quantiles] == [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0]
    assert tn_model.cv.rmse_log == pytest.approx(0.45, rel=0.1)
    assert tn_model.versions.statsmodels == sm.__version__
    assert tn_model.training_fingerprint == training_fingerprint(tn_data)


def test_the_formula_gives_the_same_design_in_statsmodels(tn_data, tn_model):
    """The stored formula, run through statsmodels' formula API, reproduces the design and the fit."""
    formula_fit = smf.ols(tn_model.formula, data=tn_data).fit()
    assert tuple(formula_fit.model.exog_names) == tn_model.design.terms
    np.testing.assert_allclose(formula_fit.params.to_numpy(), tn_model.params, rtol=1e-9)


def test_cluster_robust_errors_are_used_with_ten_or_more_districts():
    model = fit_runoff_model(simulate(600, seed=43, n_districts=12), target="tn", method="gamma_glm")
    assert model.diagnostics.cov_type == "cluster-robust by district (12 districts)"
    few = fit_runoff_model(simulate(600, seed=43, n_districts=4), target="tn", method="gamma_glm")
    assert few.diagnostics.cov_type == "HC3"
    assert any(note.startswith("HC3 standard errors: 4 districts") for note in few.diagnostics.notes)


# (5) "auto" compares the methods by cross-validation and says why it chose one.


@pytest.mark.parametrize(
    ("distribution", "n_districts", "expected"),
    [("lognormal", 0, "log_ols"), ("gamma", 0, "gamma_glm"), ("lognormal", 12, "mixedlm")],
)
def test_auto_picks_the_method_that_generated_the_data(distribution, n_districts, expected):
    model = fit_runoff_model(
        simulate(1500, seed=51, n_districts=n_districts, distribution=distribution), target="tn"
    )
    table = model.diagnostics.cv_table
    assert model.method == expected
    assert model.method == max(table, key=lambda row: row.log_score).method
    assert len(table) == (3 if n_districts else 2)
    assert all(np.isfinite([row.log_score, row.rmse_log, row.mae_kg_per_ha]).all() for row in table)
    assert model.diagnostics.selection.startswith(f"auto: {expected} has the highest mean held-out")


def test_cross_validation_is_reproducible_with_the_seed(tn_data):
    first = fit_runoff_model(tn_data, target="tn", seed=7).diagnostics.cv_table
    assert fit_runoff_model(tn_data, target="tn", seed=7).diagnostics.cv_table == first
    assert fit_runoff_model(tn_data, target="tn", seed=8).diagnostics.cv_table != first


# (6) Scenarios: the expected reduction and its interval.


@pytest.mark.parametrize("method", ["log_ols", "gamma_glm", "mixedlm"])
def test_cutting_the_n_rate_reduces_tn_with_an_interval_above_zero(method):
    data = simulate(1000, seed=61, n_districts=12)
    model = fit_runoff_model(data, target="tn", method=method)
    farms = simulate(200, seed=62, n_districts=12).query(f"{RATE} > 0")
    advised = farms.assign(**{RATE: farms[RATE] * 0.7})
    result = scenario_reduction(model, farms, advised, n_sim=2000, seed=0)
    assert list(result.columns) == [*REDUCTION_COLUMNS, *REDUCTION_AREA_COLUMNS]
    assert (result["reduction_low"] > 0).all()
    assert (result["reduction_low"] <= result["reduction_kg_per_ha"]).all()
    assert (result["reduction_kg_per_ha"] <= result["reduction_high"]).all()
    # The relative reduction is 1 - exp(b_rate * cut) exactly, for every farm.
    b_rate = next(c.estimate for c in model.coefficients if c.name == RATE)
    np.testing.assert_allclose(
        result["reduction_kg_per_ha"] / result["baseline_kg_per_ha"],
        1 - np.exp(-b_rate * 0.3 * farms[RATE]),
        rtol=1e-10,
    )
    np.testing.assert_allclose(result["baseline_kg_per_ha"], predict_loads(model, farms)[LOAD_COLUMNS[0]])
    np.testing.assert_allclose(result["reduction_kg"], result["reduction_kg_per_ha"] * farms[AREA])


def test_an_unchanged_scenario_reduces_nothing(tn_model, tn_data):
    result = scenario_reduction(tn_model, tn_data.iloc[:50], tn_data.iloc[:50], n_sim=200)
    assert (result[["reduction_kg_per_ha", "reduction_low", "reduction_high"]] == 0).all().all()


def test_a_scenario_must_have_the_baseline_rows(tn_model, tn_data):
    with pytest.raises(RunoffDataError) as caught:
        scenario_reduction(tn_model, tn_data.iloc[:10], tn_data.iloc[1:11])
    assert caught.value.template == SCENARIO_ROWS_DIFFER


# Prediction details.


def test_predictions_have_area_columns_only_with_an_area(tn_model, tn_data):
    with_area = predict_loads(tn_model, tn_data.iloc[:10])
    assert list(with_area.columns) == [*LOAD_COLUMNS, *AREA_COLUMNS]
    np.testing.assert_allclose(with_area["load_kg"], with_area["load_kg_per_ha"] * tn_data[AREA][:10])
    without = predict_loads(tn_model, tn_data.iloc[:10].drop(columns=[AREA]))
    assert list(without.columns) == list(LOAD_COLUMNS)
    assert (without["pi_low"] < without["load_kg_per_ha"]).all()
    assert (without["load_kg_per_ha"] < without["pi_high"]).all()


def test_a_district_outside_the_training_data_gets_a_wider_interval():
    data = simulate(1000, seed=71, n_districts=12)
    model = fit_runoff_model(data, target="tn", method="mixedlm")
    farm = data.iloc[:1]
    known = predict_loads(model, farm)
    unknown = predict_loads(model, farm.assign(**{DISTRICT: "D99"}))
    assert (unknown["pi_high"] - unknown["pi_low"]).iloc[0] > (known["pi_high"] - known["pi_low"]).iloc[0]


def test_fifty_thousand_farms_are_predicted_in_well_under_two_seconds(tn_model):
    farms = simulate(50_000, seed=72)
    start = time.perf_counter()
    result = predict_loads(tn_model, farms)
    assert time.perf_counter() - start < 2.0
    assert result.notna().all().all()


# The fast estimators used for cross-validation are statsmodels' estimators.


@pytest.fixture(scope="module")
def arrays():
    data = simulate(2000, seed=81, n_districts=12, distribution="gamma")
    design = build_training_design(validate_training_data(data))
    groups = validate_training_data(data).district_codes
    return design.matrix, data[LOAD].to_numpy(), groups


def test_fold_fits_equal_statsmodels_fits_on_the_same_rows(arrays):
    matrix, load, _ = arrays
    train = engines.fold_masks(len(load), 5, seed=0)
    ols = engines.ols_fits(matrix, np.log(load), train)
    gamma = engines.gamma_fits(matrix, load, train)
    family = sm.families.Gamma(sm.families.links.Log())
    for k in range(5):
        rows = train[:, k]
        reference = sm.OLS(np.log(load[rows]), matrix[rows]).fit()
        np.testing.assert_allclose(ols.params[:, k], reference.params, rtol=1e-8, atol=1e-12)
        assert ols.sigma2[k] == pytest.approx(reference.scale, rel=1e-10)
        reference = sm.GLM(load[rows], matrix[rows], family=family).fit(tol=1e-12)
        np.testing.assert_allclose(gamma.params[:, k], reference.params, rtol=1e-7, atol=1e-10)
        assert gamma.dispersion[k] == pytest.approx(reference.scale, rel=1e-8)


def test_closed_form_fold_fits_equal_statsmodels_fits_on_the_same_rows(arrays):
    """log_ols's cross-validation fits come from per-fold sums of squares and cross-products: each is
    statsmodels' OLS on its fold's training rows, with the smearing factor of those rows, and each row's
    held-out prediction is that of the fit that left it out."""
    matrix, load, _ = arrays
    folds = engines.make_folds(len(load), 5, seed=0)
    fits, fitted = engines.ols_fold_fits(matrix, np.log(load), folds)
    for k in range(5):
        rows = folds.fold != k
        reference = sm.OLS(np.log(load[rows]), matrix[rows]).fit()
        np.testing.assert_allclose(fits.params[:, k], reference.params, rtol=1e-8, atol=1e-12)
        assert fits.sigma2[k] == pytest.approx(reference.scale, rel=1e-10)
        assert fits.smearing[k] == pytest.approx(np.mean(np.exp(reference.resid)), rel=1e-10)
        np.testing.assert_allclose(fitted[~rows], matrix[~rows] @ reference.params, rtol=1e-10, atol=1e-12)


def test_folds_hold_every_row_out_exactly_once_in_folds_of_near_equal_size():
    folds = engines.make_folds(1003, 5, seed=3)
    assert sorted(folds.order) == list(range(1003))
    sizes = np.diff(folds.bounds)
    assert sizes.sum() == 1003 and sizes.max() - sizes.min() <= 1
    for k in range(5):
        assert (folds.fold[folds.order[folds.bounds[k] : folds.bounds[k + 1]]] == k).all()
    np.testing.assert_array_equal(engines.fold_masks(1003, 5, seed=3), folds.fold[:, None] != np.arange(5))


def test_random_intercept_reml_equals_statsmodels_mixedlm(arrays):
    matrix, load, groups = arrays
    fit = engines.random_intercept_fit(matrix, np.log(load), groups, 12)
    reference = sm.MixedLM(np.log(load), matrix, groups=groups).fit(reml=True)
    np.testing.assert_allclose(fit.params, reference.fe_params, rtol=1e-4, atol=1e-6)
    assert fit.sigma2 == pytest.approx(reference.scale, rel=1e-4)
    # statsmodels stops its optimiser earlier than the exact one-dimensional search here.
    assert fit.tau2 == pytest.approx(np.asarray(reference.cov_re)[0, 0], rel=1e-2)


def test_robust_covariances_equal_statsmodels_hc3_and_cluster(arrays):
    matrix, load, groups = arrays
    result = sm.OLS(np.log(load), matrix).fit()
    hc3 = sm.OLS(np.log(load), matrix).fit(cov_type="HC3").cov_params()
    cluster = sm.OLS(np.log(load), matrix).fit(cov_type="cluster", cov_kwds={"groups": groups})
    np.testing.assert_allclose(engines.sandwich_covariance(matrix, result.resid), hc3, rtol=1e-8)
    np.testing.assert_allclose(
        engines.sandwich_covariance(matrix, result.resid, groups=groups, n_groups=12),
        cluster.cov_params(),
        rtol=1e-8,
    )


# Fingerprint and simulation.


def test_the_fingerprint_ignores_row_order_index_and_other_columns(tn_data):
    reference = training_fingerprint(tn_data)
    shuffled = tn_data.sample(frac=1.0, random_state=1).reset_index(drop=True)
    assert training_fingerprint(shuffled) == reference
    assert training_fingerprint(tn_data.drop(columns=[AREA, DATA_SOURCE])) == reference
    changed = tn_data.copy()
    changed.loc[0, RAINFALL] += 1e-9
    assert training_fingerprint(changed) != reference


def test_the_fingerprint_of_given_rows_does_not_change_between_releases():
    """A version stores its fingerprint, and later fits compare theirs with it: the serialisation is pinned
    (changing it needs a new data.FINGERPRINT_FORMAT). The rows include a duplicate and a -0.0."""
    frame = pd.DataFrame(
        {
            LOAD: [12.5, 3.0, 7.25, 12.5],
            RATE: [250, 0, 180, 250],
            RAINFALL: [700.0, 650.5, 900.0, 700.0],
            CROP: ["rice", "wheat", "rice", "rice"],
            SLOW_RELEASE: [0.0, 0.5, -0.0, 0.0],
            SIDE_DEEP: [1, 0, 0, 1],
            FERTIGATION: [0.0, 0.0, 1.0, 0.0],
            STRAW_RETURN: [1, 1, 0, 1],
            DISTRICT: ["D02", "D01", "D02", "D02"],
        }
    )
    expected = "4105d0b94736e8a18d370f52d594a46d2bd216aab186ec2515c4957c486c72f1"
    assert training_fingerprint(frame) == expected
    assert training_fingerprint(frame.iloc[::-1]) == expected


def test_the_fingerprint_ignores_row_order_when_rows_repeat_or_keys_collide(tn_data, monkeypatch):
    """Rows are ordered by a 64-bit key of their bytes; repeated rows share a key, and should two different
    rows ever share one, the rows are ordered by their bytes instead. Either way row order does not count."""
    repeated = pd.concat([tn_data, tn_data.iloc[:50]])
    assert training_fingerprint(repeated.sample(frac=1.0, random_state=2)) == training_fingerprint(repeated)
    monkeypatch.setattr(stats_data, "_row_keys", lambda columns: np.zeros(len(columns[0]), dtype=np.uint64))
    collided = training_fingerprint(repeated)
    assert training_fingerprint(repeated.sample(frac=1.0, random_state=3)) == collided
    changed = repeated.copy()
    changed.iloc[0, changed.columns.get_loc(RAINFALL)] += 1e-9
    assert training_fingerprint(changed) != collided


def test_simulated_data_are_labelled_and_match_the_published_figures():
    """Reference season: rice, 700 mm, no practice. TN at 250 kg N/ha loses 5 % (12.5 kg N/ha);
    TP at 60 kg P/ha loses 0.6 kg P/ha."""
    tn = DEFAULT_COEFFICIENTS["tn"]
    assert np.exp(tn["Intercept"] + 250 * tn[RATE] + 700 * tn[RAINFALL]) == pytest.approx(12.5, rel=0.01)
    tp = DEFAULT_COEFFICIENTS["tp"]
    assert np.exp(tp["Intercept"] + 60 * tp[RATE] + 700 * tp[RAINFALL]) == pytest.approx(0.6, rel=0.01)
    data = simulate(2000, seed=91, n_districts=6)
    assert (data[DATA_SOURCE] == SYNTHETIC).all()
    validate_training_data(data)
    rice = data[data[CROP] == "rice"]
    assert rice[RATE][rice[RATE] > 0].between(150, 300).all()
    assert data.groupby(CROP)[RAINFALL].mean()["rice"] == pytest.approx(700, rel=0.05)


def test_a_district_variance_of_zero_fits_with_a_note_and_finite_errors():
    """REML can put the district variance on its boundary (0); the fit must still give finite standard errors."""
    data = simulate_training_data(600, target="tn", seed=3, n_districts=12, district_sd=0.0)
    data["district"] = np.where(np.arange(len(data)) % 2 == 0, "A", "B")  # two groups with no group effect
    model = fit_runoff_model(data, target="tn", method="mixedlm")
    assert model.method == "mixedlm"
    assert model.random_effect_variance == 0.0
    assert any("estimated at 0" in note for note in model.diagnostics.notes)
    assert all(np.isfinite(c.std_error) and c.std_error > 0 for c in model.coefficients)
    assert all(effect.effect == 0.0 for effect in model.district_effects)
