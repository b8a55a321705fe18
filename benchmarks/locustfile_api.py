"""Locust user for ``bench_api.py``: recruiters reading ranked shortlists through the API, at a fixed rate.

Not meant to be run by hand: ``bench_api.py`` writes a JSON configuration (API tokens, open vacancy ids, the rate
per user and the target) and runs ``locust -f benchmarks/locustfile_api.py --headless`` with
``BENCH_API_CONFIG=<that file>``.  The configuration's keys:

``target``          ``shortlist``: ``GET /api/v1/vacancies/<id>/match-scores/?limit=<limit>``, a vacancy drawn at
                    random among the open ones for every request; ``healthz``: ``GET /healthz`` (the baseline:
                    same stack, same rate, one ``SELECT 1`` and a broker check instead of the ranked page).
``tokens``          recruiter API tokens; locust user *i* sends ``Authorization: Token <tokens[i % n]>``.
``vacancies``       the open vacancy ids.
``per_user_rate``   requests per second per user (``constant_throughput``): users × this = the offered load.
``limit``           the page size of the shortlist (50).
``seed``            seed of the vacancy draws and phases (user *i* uses ``seed + i``), so two runs draw alike.

Each user waits a random phase within its first period, then requests at its fixed rate (``constant_throughput``):
the offered load is users × ``per_user_rate``, as independent periodic clients rather than a lock-step burst.

A request fails (and counts in locust's Failure Count) on any status but 200 (redirects are not followed), a
failed connection or timeout, or a shortlist 200 whose body is not the paginated page (no ``"results"``).
"""

from __future__ import annotations

import itertools
import json
import os
import random

import gevent
from locust import FastHttpUser, constant_throughput, task

CONFIG = json.loads(open(os.environ["BENCH_API_CONFIG"], encoding="utf-8").read())  # noqa: SIM115
_numbers = itertools.count()


class Recruiter(FastHttpUser):
    wait_time = constant_throughput(CONFIG["per_user_rate"])
    # gunicorn's sync workers close the connection after each response: every request connects afresh, as a
    # client behind no keep-alive proxy would; the timeouts only bound a hung request (it then counts as failed).
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        number = next(_numbers)
        self.rng = random.Random(CONFIG["seed"] + number)
        token = CONFIG["tokens"][number % len(CONFIG["tokens"])]
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        # Locust starts all the users in the same instant (the spawn rate is users per second, dispatched in
        # whole-second batches), and constant_throughput then keeps each user on its own fixed period: without
        # this, every user would fire in the same millisecond, period after period.  A random phase within the
        # first period spreads the users' streams, like independent clients (some clumping, no lock-step).
        gevent.sleep(self.rng.uniform(0, 1 / CONFIG["per_user_rate"]))

    @task
    def read(self) -> None:
        if CONFIG["target"] == "healthz":
            path, name = "/healthz", "GET /healthz"
        else:
            path = f"/api/v1/vacancies/{self.rng.choice(CONFIG['vacancies'])}/match-scores/?limit={CONFIG['limit']}"
            name = f"GET /api/v1/vacancies/<id>/match-scores/?limit={CONFIG['limit']}"
        with self.client.get(
            path, headers=self.headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif CONFIG["target"] != "healthz" and b'"results"' not in (response.content or b""):
                response.failure("200 without a results page")
            else:
                response.success()
