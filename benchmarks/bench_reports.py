"""Advisory reports: one full report, and a batch of reports on 1 and on 2 database workers.

    python benchmarks/bench_reports.py [--farms 100] [--repeat 7] [--batch-repeat 1]

Builds its own world in a temporary folder (a SQLite database in WAL mode, as `make run` uses, and a
media folder): migrate, load_reference, and one town of --farms crop farms with a year of records each
(rice and wheat seasons, four fertiliser applications), so that every report computes the town's
indicators, the nutrient balance and the charts.

- floor: weasyprint rendering a blank A4 page (`reports.rendering.render_blank_a4`), in this process;
- full report: `report_issue` for one farm (context and indicators, two charts, weasyprint with the CJK
  font subset, file and record written), in this process after one warm-up;
- batch: `report_batch_create` for the town, then `manage.py db_worker --batch` in 1 or 2 processes,
  timed from the enqueue until the last worker exits (worker start-up included, as in real use).

Medians are printed, and the ratio of a full report to the floor and of 1 worker to 2 workers. CPU
seconds are printed beside wall seconds, with how busy the workers were ("busy" well under 100 % per
worker means the machine was running other work and the wall times say more about it than about us).
The data are SYNTHETIC.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2024


def configure(workdir: Path) -> dict[str, str]:
    """Environment of this process and of the workers: the same database, media folder and settings."""
    env = {
        "DJANGO_SETTINGS_MODULE": "farmadvice.settings",
        "SECRET_KEY": "benchmark-only-secret-key",
        "DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "TASK_BACKEND": "db",
        "LOG_LEVEL": "WARNING",
        "AXES_ENABLED": "0",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def populate(farms: int) -> tuple[object, object]:
    """Reference data, an agent, and a town of `farms` crop farms with a year of records each."""
    from django.core.management import call_command

    from farmadvice.accounts.models import Role
    from farmadvice.accounts.services import user_create
    from farmadvice.practices.models import CropSeason, FertiliserApplication
    from farmadvice.reference.models import Crop
    from farmadvice.registry.models import Farm, FarmType, Town

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    town = Town.objects.get(name_en="Chengqiao")
    agent = user_create(username="bench-agent", password="x-bench-password-x", role=Role.AGENT, towns=[town])
    Farm.objects.bulk_create(
        Farm(
            code=f"CQ-{n:04d}",
            name=f"城桥测试家庭农场{n}",
            farm_type=FarmType.CROP,
            town=town,
            area_mu=Decimal(60),
        )
        for n in range(farms)
    )
    rice, wheat = Crop.objects.get(code="rice"), Crop.objects.get(code="wheat")
    seasons = CropSeason.objects.bulk_create(
        CropSeason(farm=farm, year=YEAR, season=season, crop=crop, area_mu=Decimal(50 + farm.pk % 10))
        for farm in Farm.objects.filter(town=town)
        for season, crop in (("summer", rice), ("winter", wheat))
    )
    FertiliserApplication.objects.bulk_create(
        FertiliserApplication(
            season=season,
            product=product,
            n_pct=n_pct,
            p2o5_pct=p_pct,
            k2o_pct=k_pct,
            product_kg=Decimal(kg + season.farm_id % 7 * 25),
            area_mu=season.area_mu,
            slow_release=slow,
        )
        for season in seasons
        for product, n_pct, p_pct, k_pct, kg, slow in (
            ("复合肥 18-15-12", 18, 15, 12, 1800, False),
            ("缓释尿素", 44, 0, 0, 450, True),
        )
    )
    return agent, Farm.objects.filter(town=town).order_by("code").first()


def median_seconds(run, repeat: int) -> tuple[float, float]:
    """Median wall and median CPU seconds of `run` (CPU time is what a busy machine does not inflate)."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu_start = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu_start)
    return statistics.median(walls), statistics.median(cpus)


def run_batch(agent, workers: int, env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall seconds from enqueueing the town's batch until `workers` db_worker processes have drained it,
    and the CPU seconds (user + system) the worker processes spent."""
    from reports.selectors import batch_progress
    from reports.services import report_batch_create

    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    batch = report_batch_create(user=agent, scope="town", town="Chengqiao", year=YEAR, language="zh-hans")
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--batch", "--interval", "0.05"]
    command += ["--no-startup-delay", "--no-reload", "-v", "0"]
    processes = [
        subprocess.Popen([*command, "--worker-id", f"bench-{workers}-{n}"], env=env, cwd=ROOT)
        for n in range(workers)
    ]
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"db_worker exited with {process.returncode}")
    elapsed = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    progress = batch_progress(batch)
    return elapsed, cpu, progress.done, progress.failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--farms", type=int, default=100, help="farms in the town, i.e. reports per batch")
    parser.add_argument("--repeat", type=int, default=7, help="runs of the single-report measurements")
    parser.add_argument("--batch-repeat", type=int, default=1, help="runs of each batch measurement")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        env = configure(Path(tmp))
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from reports.rendering import render_blank_a4
        from reports.services import report_issue

        setup_start = time.perf_counter()
        agent, farm = populate(args.farms)
        print(f"setup: {args.farms} farms with records in {time.perf_counter() - setup_start:.1f} s")

        render_blank_a4()
        report_issue(user=agent, farm=farm, year=YEAR, language="zh-hans")  # warm-up: fonts, templates
        floor, floor_cpu = median_seconds(render_blank_a4, args.repeat)
        full, full_cpu = median_seconds(
            lambda: report_issue(user=agent, farm=farm, year=YEAR, language="zh-hans"), args.repeat
        )
        english, english_cpu = median_seconds(
            lambda: report_issue(user=agent, farm=farm, year=YEAR, language="en"), args.repeat
        )

        batches: dict[int, list[float]] = {1: [], 2: []}
        cpu: dict[int, list[float]] = {1: [], 2: []}
        load = [os.getloadavg()[0]]
        for _ in range(args.batch_repeat):
            for workers in (1, 2):
                seconds, cpu_seconds, done, failed = run_batch(agent, workers, env)
                if (done, failed) != (args.farms, 0):
                    raise SystemExit(f"batch on {workers} worker(s): {done} done, {failed} failed")
                batches[workers].append(seconds)
                cpu[workers].append(cpu_seconds)
                load.append(os.getloadavg()[0])
        one, two = statistics.median(batches[1]), statistics.median(batches[2])

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(
        f"floor, weasyprint blank A4 page   median {floor * 1000:7.1f} ms wall, {floor_cpu * 1000:7.1f} ms CPU"
    )
    print(
        f"full report (zh-hans)             median {full * 1000:7.1f} ms wall, {full_cpu * 1000:7.1f} ms CPU"
        f" = {full / floor:.0f} x floor (wall), {full_cpu / floor_cpu:.0f} x (CPU)"
    )
    print(
        f"full report (en)                  median {english * 1000:7.1f} ms wall, {english_cpu * 1000:7.1f} ms CPU"
    )
    for workers, wall in ((1, one), (2, two)):
        spent = statistics.median(cpu[workers])
        print(
            f"batch of {args.farms} reports, {workers} worker(s)   {wall:8.1f} s wall"
            f" ({wall / args.farms * 1000:.0f} ms/report); worker CPU {spent:.1f} s"
            f" = busy {spent / (wall * workers):.0%} of {workers} core(s)"
        )
    print(f"speed-up of 2 workers over 1        {one / two:8.2f} x")
    print(f"1-minute load average before and after each batch: {', '.join(f'{v:.1f}' for v in load)}")


if __name__ == "__main__":
    main()
