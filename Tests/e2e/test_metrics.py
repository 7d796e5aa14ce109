"""GET /metrics through nginx: Prometheus text that a real parser reads, counters shared by every worker
and supervisor that move by exactly the requests and runs made, loopback only."""
import threading
import time

import httpx2 as httpx
from prometheus_client.parser import text_string_to_metric_families

from conftest import wait_for


def scrape(stack):
    r = stack.client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def moved(before, after):
    """The samples that changed, and by how much (scrape-time gauges left out)."""
    keys = set(before) | set(after)
    return {k: after.get(k, 0) - before.get(k, 0) for k in keys
            if after.get(k, 0) != before.get(k, 0) and not k[0].startswith(("claude_fcgi_worker_start", "claude_fcgi_run_lock"))}


def test_counters_move_by_exactly_the_runs_made(make_stack):
    s = make_stack(workers=3)
    before = scrape(s)
    assert value(before, "claude_fcgi_runs_total", outcome="ok") == 0
    assert s.chat("one").status_code == 200
    assert s.chat("two").status_code == 200
    assert s.chat("@fake is_error boom").status_code == 503
    # A busy rejection: a run holds the lock while another chat request comes.
    holder = threading.Thread(target=lambda: s.chat("@fake sleep 1.5"))
    holder.start()
    assert wait_for(lambda: len(s.records()) == 4)
    held = scrape(s)
    assert value(held, "claude_fcgi_run_lock_held") == 1
    busy = s.chat("while busy")
    assert busy.status_code == 503 and busy.json()["detail"].startswith("busy")
    holder.join()
    job = s.submit("a job").json()
    assert s.wait_job(job["job_id"])["status"] == "succeeded"
    assert s.get("/v1/models").status_code == 200
    assert s.get("/v1/models", token="wrong").status_code == 401
    after = scrape(s)
    chat = "/v1/chat/completions"
    assert moved(before, after) == {
        ("claude_fcgi_requests_total", (("route", chat), ("status", "200"))): 3,
        ("claude_fcgi_requests_total", (("route", chat), ("status", "503"))): 2,
        ("claude_fcgi_requests_total", (("route", "/execute"), ("status", "202"))): 1,
        ("claude_fcgi_requests_total", (("route", "/execute/{id}"), ("status", "200"))): after[
            ("claude_fcgi_requests_total", (("route", "/execute/{id}"), ("status", "200")))] - before.get(
            ("claude_fcgi_requests_total", (("route", "/execute/{id}"), ("status", "200"))), 0),
        ("claude_fcgi_requests_total", (("route", "/v1/models"), ("status", "200"))): 1,
        ("claude_fcgi_requests_total", (("route", "/v1/models"), ("status", "401"))): 1,
        ("claude_fcgi_requests_total", (("route", "/metrics"), ("status", "200"))): 2,  # before's and held's
        ("claude_fcgi_busy_rejections_total", (("route", chat),)): 1,
        ("claude_fcgi_runs_total", (("outcome", "ok"),)): 4,
        ("claude_fcgi_runs_total", (("outcome", "failed"),)): 1,
        ("claude_fcgi_run_duration_seconds_count", ()): 5,
        ("claude_fcgi_run_duration_seconds_sum", ()): after[("claude_fcgi_run_duration_seconds_sum", ())],
        ("claude_fcgi_run_duration_seconds_bucket", (("le", "1"),)): 4,
        ("claude_fcgi_run_duration_seconds_bucket", (("le", "2.5"),)): 5,
        ("claude_fcgi_run_duration_seconds_bucket", (("le", "5"),)): 5,
        **{("claude_fcgi_run_duration_seconds_bucket", (("le", le),)): 5
           for le in ["10", "30", "60", "120", "300", "600", "900", "+Inf"]},
        ("claude_fcgi_cost_usd_total", ()): after[("claude_fcgi_cost_usd_total", ())],
        ("claude_fcgi_tokens_total", (("kind", "input"),)): 4 * 12,
        ("claude_fcgi_tokens_total", (("kind", "output"),)): 4 * 3,
        ("claude_fcgi_tokens_total", (("kind", "cache_creation"),)): 4 * 5,
        ("claude_fcgi_tokens_total", (("kind", "cache_read"),)): 4 * 7,
        # The same by caller: every run here is the token holder's.
        ("claude_fcgi_caller_runs_total", (("caller", "default"),)): 5,
        ("claude_fcgi_caller_cost_usd_total", (("caller", "default"),)): after[("claude_fcgi_caller_cost_usd_total", (("caller", "default"),))],
        ("claude_fcgi_caller_tokens_total", (("caller", "default"), ("kind", "input"))): 4 * 12,
        ("claude_fcgi_caller_tokens_total", (("caller", "default"), ("kind", "output"))): 4 * 3,
        ("claude_fcgi_caller_tokens_total", (("caller", "default"), ("kind", "cache_creation"))): 4 * 5,
        ("claude_fcgi_caller_tokens_total", (("caller", "default"), ("kind", "cache_read"))): 4 * 7,
        ("claude_fcgi_jobs", (("status", "succeeded"),)): 1,
    }
    assert abs(after[("claude_fcgi_cost_usd_total", ())] - 4 * 0.0051) < 1e-9
    assert after[("claude_fcgi_run_duration_seconds_sum", ())] >= 1.5
    assert value(after, "claude_fcgi_run_lock_held") == 0
    assert value(after, "claude_fcgi_worker_start_time_seconds") > time.time() - 600


def test_a_scrape_does_not_wait_for_a_run_nor_make_one_busy(stack):
    holder = threading.Thread(target=lambda: stack.chat("@fake sleep 1"))
    holder.start()
    assert wait_for(lambda: value(scrape(stack), "claude_fcgi_run_lock_held") == 1)
    started = time.monotonic()
    scrape(stack)
    took = time.monotonic() - started
    holder.join()
    assert took < 0.5, f"a scrape during a run took {took:.3f} s"
    # Scrapes between runs never take the lock: a run right after one is not refused.
    for _ in range(20):
        scrape(stack)
        assert stack.chat("right after a scrape").status_code == 200


def test_metrics_answer_loopback_only(stack):
    outside = httpx.Client(base_url=stack.url, verify=stack.ssl_context,
                           transport=httpx.HTTPTransport(verify=stack.ssl_context, local_address="127.0.0.2"))
    r = outside.get("/metrics")
    assert r.status_code == 403
    assert r.json() == {"error": "forbidden"}
    assert outside.get("/healthz").status_code == 200, "only /metrics is closed to other addresses"
