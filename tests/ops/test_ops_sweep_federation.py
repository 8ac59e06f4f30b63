import numpy as np
import pandas as pd
import pytest

from archmodels.errors import InputError
from ops.federation import Site, federate, route
from ops.jobs import prepare_jobs
from ops.power import PowerModel
from ops.sweep import make_cases, run_sweep
from ops.swf import read_swf
from ops_traces import trace_path


def test_dask_sweep_gives_the_same_rows_as_serial():
    distributed = pytest.importorskip("distributed")
    cases = make_cases({"cqsim": trace_path("cqsim_test.swf"), "lublin": trace_path("lublin_256.swf")},
                       ["easy", "fcfs", "carbon-delay"], {"policy.max_delay_s": [3600.0, 6 * 3600.0]},
                       grid="tokyo-2025", machine="fugaku")
    assert len(cases) == 12
    serial = run_sweep(cases)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        parallel = run_sweep(cases, client)
    pd.testing.assert_frame_equal(serial, parallel)
    assert "simulation_wall_s" not in serial.columns
    # the delay parameter reaches the policy: longer windows wait longer on the long trace
    delay = serial[(serial.trace == "lublin") & (serial.policy == "carbon-delay")]
    assert delay["mean_wait_s"].iloc[1] != delay["mean_wait_s"].iloc[0]


@pytest.fixture(scope="module")
def theta():
    return read_swf(trace_path("theta_argonne.swf")).jobs.iloc[:4000]


def sites():
    pm = PowerModel(idle_w=68.0, max_w=188.0, pue=1.2)
    return [Site("tokyo", 4392, pm), Site("osaka", 2048, PowerModel(68.0, 188.0, 1.1), grid_offset_s=6 * 3600.0),
            Site("small", 512, pm, bandwidth_bytes_per_s=1e9)]


def test_home_routing_equals_a_single_site_simulation(theta):
    from ops.simulate import simulate

    res = federate(theta, sites(), routing="home")
    single = simulate(theta, nodes=4392, power=sites()[0].power, grid="tokyo-2025")
    assert res.summary["moved_jobs"] == 0
    assert res.summary["mean_wait_s"] == pytest.approx(single.summary["mean_wait_s"])
    assert (res.jobs["transfer_s"] == 0).all()


def test_routing_spreads_load_and_pays_transfer(theta):
    home = federate(theta, sites(), routing="home").summary
    ll = federate(theta, sites(), routing="least-loaded", share_links=False)
    assert ll.summary["moved_jobs"] > 0 and ll.summary["mean_wait_s"] < home["mean_wait_s"]
    moved = ll.jobs[ll.jobs.site != "tokyo"]
    assert (moved["transfer_s"] > 0).all()
    small = ll.jobs[ll.jobs.site == "small"]
    assert (small["procs"] <= 512).all()
    # transfer = latency + data / min(bandwidth): 1 GB per processor by default over the small site's 1 GB/s
    np.testing.assert_allclose(small["transfer_s"], 0.02 + small["procs"] * 1e9 / 1e9)
    np.testing.assert_allclose(ll.jobs["wait_s"], ll.jobs["start_s"] - ll.jobs["home_submit_s"])
    for routing in ("round-robin", "lowest-carbon"):
        assert federate(theta, sites(), routing=routing).summary["jobs"] == len(theta)


def test_route_rejects_unknown_rules_and_impossible_jobs(theta):
    jobs = prepare_jobs(theta, 4392)
    with pytest.raises(InputError, match="unknown routing"):
        route(jobs, sites(), "random")
    with pytest.raises(InputError, match="larger than every site"):
        route(jobs, [Site("tiny", 4)], "least-loaded")


def test_lowest_carbon_routing_picks_the_cleaner_site(theta):
    from ops.grid import load_grid

    grid = load_grid("tokyo-2025")
    jobs = prepare_jobs(theta, 4392)
    s = sites()[:2]
    choice, _ = route(jobs, s, "lowest-carbon")
    origin = jobs.submit_s.min()
    # arrival at the remote site: latency + 1 GB per processor over the 100 Gbit/s links
    arrival = [jobs.submit_s, jobs.submit_s + 0.02 + jobs.procs * 1e9 / (100e9 / 8)]
    ci = np.stack([grid.carbon_g_per_kwh[grid.slot_of(arrival[k] - origin + site.grid_offset_s)]
                   for k, site in enumerate(s)])
    fits_both = jobs.procs <= 2048
    clear = fits_both & (ci[0] != ci[1])
    assert clear.sum() > 100
    assert np.all(choice[clear] == np.argmin(ci[:, clear], axis=0))


def _two_jobs_frame(data_gb):
    import pandas as pd

    # two 8-node jobs submitted 1 s apart, each staging data_gb GB per processor to the remote site
    return pd.DataFrame({"id": [1, 2], "submit_s": [0.0, 1.0], "run_s": [100.0, 100.0], "alloc_procs": [8, 8],
                         "req_procs": [8, 8], "req_time_s": [100.0, 100.0], "cpu_time_s": [100.0, 100.0]})


def test_shared_links_queue_a_burst_of_transfers_first_come_first_served():
    # both jobs go to "far" (round-robin from a full home would alternate; use a home too small)
    jobs = prepare_jobs(_two_jobs_frame(1.0), 8)
    s = [Site("home", 4, bandwidth_bytes_per_s=10e9), Site("far", 8, bandwidth_bytes_per_s=1e9, latency_s=0.5)]
    choice, delay = route(jobs, s, "least-loaded", data_bytes_per_proc=2e9)
    assert list(choice) == [1, 1]
    # 16 GB at min(10, 1) GB/s = 16 s each: the first holds the links 0..16 s, the second waits from 1 to 16
    assert delay[0] == pytest.approx(0.5 + 16.0)
    assert delay[1] == pytest.approx((16.0 - 1.0) + 0.5 + 16.0)
    _, alone = route(jobs, s, "least-loaded", data_bytes_per_proc=2e9, share_links=False)
    assert list(alone) == pytest.approx([16.5, 16.5])
    with pytest.raises(InputError, match="data per processor"):
        route(jobs, s, "least-loaded", data_bytes_per_proc=-1.0)


def test_large_data_keeps_work_home_when_the_link_is_the_bottleneck(theta):
    # Tokyo and Kobe, the Kansai grid at Kobe: with 1 GB per processor least-loaded moves work to
    # Kobe; at 100 GB per processor the shared 100 Gbit/s link queues it and fewer jobs move
    s = [Site("tokyo", 4392, PowerModel(68.0, 188.0, 1.2)),
         Site("kobe", 2048, PowerModel(68.0, 188.0, 1.1), grid="kansai-2025")]
    small = federate(theta, s, routing="least-loaded", data_bytes_per_proc=1e9).summary
    large = federate(theta, s, routing="least-loaded", data_bytes_per_proc=100e9).summary
    assert small["moved_jobs"] > large["moved_jobs"] > 0
    assert large["max_transfer_s"] > 10 * small["max_transfer_s"]
