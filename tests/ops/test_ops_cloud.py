import json

import numpy as np
import pandas as pd
import pytest

from archmodels.errors import InputError
from fs.cli import main
from ops.cloud import CloudOffer, aws_hpc6a_offer
from ops.federation import RoutingWeights, Site, federate, route
from ops.jobs import prepare_jobs
from ops.power import PowerModel
from ops.swf import read_swf
from ops_traces import trace_path


@pytest.fixture(scope="module")
def theta():
    return read_swf(trace_path("theta_argonne.swf")).jobs.iloc[:3000]


def tokyo_and_aws(offer=None):
    return [Site("tokyo", 4392, PowerModel(68.0, 188.0, 1.2)),
            Site("aws", 100_000, PowerModel(68.0, 188.0, 1.15), grid=None, cloud=offer or aws_hpc6a_offer())]


def test_the_default_offer_is_hpc6a_at_the_cost_tables_exchange_rate():
    from archmodels.cost import default_exchange

    rate = default_exchange().jpy_per_usd
    offer = aws_hpc6a_offer()
    assert offer.price_jpy_per_node_hour == pytest.approx(2.88 * rate)
    assert offer.egress_jpy_per_gb == pytest.approx(0.09 * rate)
    with pytest.raises(InputError, match="startup_s"):
        CloudOffer(100.0, 10.0, startup_s=-1.0)


def test_cloud_cost_is_node_hours_times_the_price_of_the_routed_jobs(theta):
    res = federate(theta, tokyo_and_aws(), routing="burst", burst_wait_s=1800.0)
    s, offer = res.summary, aws_hpc6a_offer()
    away = res.jobs[res.jobs.site == "aws"]
    assert 0 < len(away) < len(res.jobs) and s["cloud_jobs"] == len(away)
    node_hours = float((away["procs"] * (away["end_s"] - away["start_s"])).sum()) / 3600.0
    assert s["cloud_node_hours"] == pytest.approx(node_hours)
    assert s["cloud_cost_jpy"] == pytest.approx(node_hours * offer.price_jpy_per_node_hour)
    assert s["egress_cost_jpy"] == pytest.approx(away["output_bytes"].sum() / 1e9 * offer.egress_jpy_per_gb)
    aws = res.sites.set_index("site").loc["aws"]
    assert aws["cost_jpy"] == pytest.approx(s["cloud_cost_jpy"] + s["egress_cost_jpy"])
    # the cloud's energy is its busy nodes' only: at most every node-hour at full power
    assert 0 < aws["energy_j"] <= node_hours * 3600 * 188.0 * 1.15 * (1 + 1e-9)
    assert aws["carbon_g"] == pytest.approx(aws["energy_j"] / 3.6e6 * offer.carbon_g_per_kwh)
    assert s["cost_jpy"] == pytest.approx(res.sites["cost_jpy"].sum())


def test_burst_threshold_infinite_sends_nothing_and_zero_sends_everything(theta):
    home = federate(theta, tokyo_and_aws(), routing="home").summary
    never = federate(theta, tokyo_and_aws(), routing="burst", burst_wait_s=float("inf"))
    assert never.summary["cloud_jobs"] == 0 and never.summary["cloud_cost_jpy"] == 0.0
    assert never.summary["mean_wait_s"] == pytest.approx(home["mean_wait_s"])
    always = federate(theta, tokyo_and_aws(), routing="burst", burst_wait_s=0.0)
    assert always.summary["cloud_jobs"] == len(theta) and (always.jobs.site == "aws").all()
    # nothing queues in an ample cloud: every wait is the input transfer plus the provisioning
    np.testing.assert_allclose(always.jobs["wait_s"], always.jobs["transfer_s"] + 300.0, atol=1e-6)
    some = federate(theta, tokyo_and_aws(), routing="burst", burst_wait_s=3600.0).summary
    assert 0 < some["cloud_jobs"] < len(theta) and some["mean_wait_s"] < home["mean_wait_s"]


def _two_jobs():
    # two 8-node jobs submitted 1 s apart, 100 s each
    return pd.DataFrame({"id": [1, 2], "submit_s": [0.0, 1.0], "run_s": [100.0, 100.0], "alloc_procs": [8, 8],
                         "req_procs": [8, 8], "req_time_s": [100.0, 100.0], "cpu_time_s": [100.0, 100.0]})


def _home_and_cloud(startup_s=10.0):
    offer = CloudOffer(price_jpy_per_node_hour=400.0, egress_jpy_per_gb=10.0, startup_s=startup_s)
    return [Site("home", 8, bandwidth_bytes_per_s=10e9),
            Site("cloud", 64, grid=None, bandwidth_bytes_per_s=1e9, latency_s=0.5, cloud=offer)]


def test_output_return_delays_completion_by_the_transfer_home():
    # 2 GB per processor in: 16 GB at min(10, 1) GB/s = 16 s; the second waits for the link (16 s)
    # arrivals 0.5 + 16 + 10 = 26.5 s and 16 + 0.5 + 16 + 10 = 42.5 s; they end 100 s later.
    # Output 2 x input = 32 GB = 32 s each way: the first is home at 126.5 + 32 + 0.5 = 159 s; the
    # second ends at 142.5 s, waits for the return link until 158.5 s, and is home at 191 s.
    res = federate(_two_jobs(), _home_and_cloud(), routing="burst", burst_wait_s=0.0,
                   data_bytes_per_proc=2e9, output_fraction=2.0)
    jobs = res.jobs.set_index("id").sort_index()
    assert list(jobs["site"]) == ["cloud", "cloud"]
    np.testing.assert_allclose(jobs["start_s"], [26.5, 42.5])
    np.testing.assert_allclose(jobs["transfer_s"], [16.5, 31.5])
    np.testing.assert_allclose(jobs["provision_s"], [10.0, 10.0])
    np.testing.assert_allclose(jobs["return_s"], [32.5, 48.5])
    np.testing.assert_allclose(jobs["home_end_s"], [159.0, 191.0])
    assert res.summary["completion_s"] == pytest.approx(191.0)
    assert res.summary["mean_response_s"] == pytest.approx((159.0 + 190.0) / 2)
    assert res.summary["egress_cost_jpy"] == pytest.approx(2 * 32.0 * 10.0)
    alone = federate(_two_jobs(), _home_and_cloud(), routing="burst", burst_wait_s=0.0, data_bytes_per_proc=2e9,
                     output_fraction=2.0, share_links=False).jobs
    np.testing.assert_allclose(alone["return_s"], [32.5, 32.5])
    none = federate(_two_jobs(), _home_and_cloud(), routing="burst", burst_wait_s=0.0, output_fraction=0.0).jobs
    np.testing.assert_allclose(none["return_s"], [0.5, 0.5])


def test_weighted_routing_picks_the_cheaper_site():
    jobs = prepare_jobs(_two_jobs(), 8)
    cheap = CloudOffer(price_jpy_per_node_hour=100.0, egress_jpy_per_gb=0.0)
    dear = CloudOffer(price_jpy_per_node_hour=200.0, egress_jpy_per_gb=0.0)
    home = Site("home", 4)  # too small: the jobs can run only in a cloud
    sites = [home, Site("dear", 64, grid=None, cloud=dear), Site("cheap", 64, grid=None, cloud=cheap)]
    choice, _ = route(jobs, sites, "weighted", weights=RoutingWeights(0.0, 0.0))
    assert list(choice) == [2, 2]
    # home (no grid: no energy bill) fits, and the first job fills it for 100 s. At 1000 JPY per
    # node-hour waited the second's 99 s wait at home costs 8 · 99 / 3600 · 1000 = 220 JPY; the
    # cloud costs 8 · 100 / 3600 · 100 = 22 JPY of node-hours plus the wait for 0.64 s of input,
    # 300 s of provisioning and 0.64 s of output (+ 2 · 0.02 s latency): 8 · 301.3 / 3600 · 1000 =
    # 670 JPY, so both stay home; without the provisioning the cloud's 25 JPY wins the second.
    s = [Site("home", 8, grid=None), Site("cheap", 64, grid=None, cloud=cheap)]
    w = RoutingWeights(1000.0, 0.0)
    assert list(route(jobs, s, "weighted", weights=w)[0]) == [0, 0]
    fast = CloudOffer(price_jpy_per_node_hour=100.0, egress_jpy_per_gb=0.0, startup_s=0.0)
    s_fast = [s[0], Site("cheap", 64, grid=None, cloud=fast, bandwidth_bytes_per_s=1e12)]
    assert list(route(jobs, s_fast, "weighted", weights=w)[0]) == [0, 1]
    with pytest.raises(InputError, match="needs a cloud site"):
        route(jobs, [Site("home", 8)], "weighted")
    with pytest.raises(InputError, match="cannot be a cloud"):
        route(jobs, s[::-1], "burst")
    # burst chooses between home and the cloud: a job that fits only another site is refused
    with pytest.raises(InputError, match="larger than every site"):
        route(jobs, [Site("home", 4), Site("other", 8), Site("cloud", 4, grid=None, cloud=cheap)], "burst")


def test_federate_cli_reports_the_cloud(capsys):
    args = ["ops", "federate", "--trace", "cqsim_test", "--site", "tokyo:100:1.2", "--cloud", "aws:1000",
            "--routing", "burst", "--burst-wait-s", "0", "--json"]
    status = main(args)
    out, err = capsys.readouterr()
    assert status == 0, err
    res = json.loads(out)
    assert res["cloud_jobs"] == res["jobs"] > 0
    assert res["cloud_cost_jpy"] == pytest.approx(res["cloud_node_hours"] * aws_hpc6a_offer().price_jpy_per_node_hour)
    assert res["egress_cost_jpy"] > 0 and res["mean_return_s"] > 0
    aws = {s["site"]: s for s in res["sites"]}["aws"]
    assert aws["cloud"] is True and aws["node_hours"] == pytest.approx(res["cloud_node_hours"])
    for bad, word in ((["--cloud", "aws:0"], "QUOTA_NODES"), (["--cloud", "aws:10:x"], "QUOTA_NODES"),
                      (["--burst-wait-s", "-1"], "--burst-wait-s"), (["--output-fraction", "-1"], "--output-fraction")):
        status = main(["ops", "federate", "--trace", "cqsim_test", "--site", "tokyo:100", "--routing", "burst"] + bad)
        _, err = capsys.readouterr()
        assert status == 2 and word in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
