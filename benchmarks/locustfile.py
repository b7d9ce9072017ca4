"""Load scenario against gunicorn on loopback with the demo data (run by benchmarks/bench_load.py).

- AgentUser: the agent writes fertiliser applications (new client UUIDs) to seasons of a farm in its towns,
  and reads farm details;
- OperatorUser: the operator lists and downloads its farm's reports, and reads its farm;
- CommitteeUser: reads the compliance table and the area loads (what the dashboard shows);
- HealthUser: GET /api/v1/health, the django-ninja floor;
- FarmDetailUser: only the farm detail, as the agent (the capacity phase; bench_load.py names the classes
  each phase runs).

BENCH_THINK=0 drops the think time (the capacity phases saturate the server); 1 keeps 50-200 ms (the stress
mix); "human" waits 2-8 s between requests, a person's pace (the working day).

Bearer tokens come from the JSON file named by BENCH_TOKENS ({"agent": "...", "operator": "...", ...}).
"""

from __future__ import annotations

import json
import os
import random
import uuid

from locust import HttpUser, between, constant, task

TOKENS = json.loads(open(os.environ["BENCH_TOKENS"], encoding="utf-8").read())  # noqa: SIM115
YEAR = int(os.environ.get("BENCH_YEAR", "2025"))
THINK = {"0": constant(0), "human": between(2, 8)}.get(os.environ.get("BENCH_THINK", "1"), between(0.05, 0.2))


class _ApiUser(HttpUser):
    abstract = True
    role = ""
    wait_time = THINK

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {TOKENS[self.role]}"
        farms = self.client.get("/api/v1/farms?page_size=500", name="/api/v1/farms").json()
        items = farms["items"] if isinstance(farms, dict) else farms
        self.farm_codes = [farm["code"] for farm in items] or ["none"]
        # the farms this role may write on: an agent writes only in its assigned towns
        towns = set(TOKENS.get("agent_towns", ())) if self.role == "agent" else None
        self.own_farm_codes = [f["code"] for f in items if towns is None or f["town"] in towns] or ["none"]


class AgentUser(_ApiUser):
    role = "agent"
    weight = 3

    def on_start(self) -> None:
        super().on_start()
        self.seasons: list[str] = []
        for code in self.own_farm_codes[:20]:
            listed = self.client.get(
                f"/api/v1/farms/{code}/seasons?year={YEAR}", name="/api/v1/farms/{code}/seasons"
            )
            if listed.ok:
                self.seasons += [s["id"] for s in listed.json()["items"]]

    @task(3)
    def farm_detail(self) -> None:
        self.client.get(f"/api/v1/farms/{random.choice(self.farm_codes)}", name="/api/v1/farms/{code}")

    @task(1)
    def write_fertiliser(self) -> None:
        if not self.seasons:
            return
        body = {
            "id": str(uuid.uuid4()),
            "date": f"{YEAR}-06-20",
            "product": "尿素",
            "n_pct": "46",
            "product_kg": "1",
            "area_mu": "0.1",
        }
        with self.client.post(
            f"/api/v1/seasons/{random.choice(self.seasons)}/fertiliser-applications",
            json=body,
            name="/api/v1/seasons/{id}/fertiliser-applications",
            catch_response=True,
        ) as response:
            # 422 (a plausibility rule refused the figures) is an answer, not an error of the server
            if response.status_code in (201, 422):
                response.success()


class OperatorUser(_ApiUser):
    role = "operator"
    weight = 2

    @task(2)
    def farm_detail(self) -> None:
        self.client.get(f"/api/v1/farms/{self.farm_codes[0]}", name="/api/v1/farms/{code}")

    @task(1)
    def download_report(self) -> None:
        reports = self.client.get(
            f"/api/v1/farms/{self.farm_codes[0]}/reports", name="/api/v1/farms/{code}/reports"
        )
        if reports.ok and reports.json():
            report_id = reports.json()[0]["id"]
            self.client.get(f"/api/v1/reports/{report_id}/download", name="/api/v1/reports/{id}/download")


class CommitteeUser(_ApiUser):
    role = "committee"
    weight = 1

    @task(2)
    def compliance(self) -> None:
        self.client.get(f"/api/v1/indicators/compliance?year={YEAR}", name="/api/v1/indicators/compliance")

    @task(1)
    def area_loads(self) -> None:
        self.client.get(f"/api/v1/runoff/loads?year={YEAR}", name="/api/v1/runoff/loads")


class HealthUser(HttpUser):
    weight = 2
    wait_time = THINK

    @task
    def health(self) -> None:
        self.client.get("/api/v1/health")


class FarmDetailUser(_ApiUser):
    role = "agent"

    @task
    def farm_detail(self) -> None:
        self.client.get(f"/api/v1/farms/{random.choice(self.farm_codes)}", name="/api/v1/farms/{code}")
