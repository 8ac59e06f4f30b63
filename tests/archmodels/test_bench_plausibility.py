"""The CPU's ceiling (table, identification, clock, cores) and the plausibility checks, on synthetic
inputs: nothing here depends on how fast or how idle the test host is."""

import json
from types import SimpleNamespace

import pytest

import archmodels
from archmodels.atomic import write_text_atomic
from archmodels.bench import ceiling, clock, host, plausibility
from archmodels.bench.profile import HostProfile, MemoryLevelProfile, profile_toml
from fs.cli import main

AMX_VM = "avx2 fma avx512f avx512_fp16 amx_tile amx_bf16 sse2 avx hypervisor"


def _cpu(vendor, family, model, flags):
    return ceiling.parse_cpuinfo(
        f"processor\t: 0\nvendor_id\t: {vendor}\ncpu family\t: {family}\nmodel\t\t: {model}\n"
        f"model name\t: Test CPU\nflags\t\t: {flags}\n\nprocessor\t: 1\nvendor_id\t: other\n")


@pytest.mark.parametrize("vendor, family, model, flags, name, per_cycle, latency", [
    # Zen 4: AVX-512 on two 256-bit FMA pipes, 16 like Zen 3 (the EPYC host)
    ("AuthenticAMD", 25, 17, "avx2 fma avx512f", "Zen 4", 16, 4),
    ("AuthenticAMD", 25, 1, "avx2 fma", "Zen 3", 16, 4),
    ("AuthenticAMD", 23, 49, "avx2 fma", "Zen 2", 16, 5),
    ("AuthenticAMD", 23, 1, "avx2 fma", "Zen / Zen+", 8, 5),
    # the development VM: a Sapphire Rapids-class core that reports Rocket Lake's model number
    ("GenuineIntel", 6, 167, AMX_VM, "Sapphire Rapids", 32, 4),
    ("GenuineIntel", 6, 167, "avx2 fma avx512f", "Rocket Lake", 16, 4),
    ("GenuineIntel", 6, 85, "avx2 fma avx512f", "Skylake-SP", 32, 4),
    ("GenuineIntel", 6, 106, "avx2 fma avx512f", "Ice Lake-SP", 32, 4),
    ("GenuineIntel", 6, 63, "avx2 fma", "Haswell", 16, 5),
    ("GenuineIntel", 6, 151, "avx2 fma", "Alder Lake", 16, 4),
])
def test_microarchitecture_identified_from_the_table(vendor, family, model, flags, name, per_cycle, latency):
    micro = ceiling.identify(_cpu(vendor, family, model, flags))
    assert name in micro.name
    assert micro.fp64_flop_per_cycle == per_cycle and micro.fp32_flop_per_cycle == 2 * per_cycle
    assert micro.fma_latency_cycles == latency
    assert not micro.assumption and micro.url.startswith("http")


def test_every_rule_cites_a_source_with_a_title():
    table = ceiling.load_table()
    for rule in table["rule"]:
        for key in ("fp64_flop_per_cycle", "fma_latency_cycles"):
            if key in rule:
                assert table["sources"][rule[key]["source"]]["title"]


def test_unknown_cpu_gets_a_flags_estimate_labelled_assumption():
    micro = ceiling.identify(_cpu("GenuineIntel", 6, 250, "sse2 avx fma avx512f"))
    assert micro.assumption and micro.source.startswith("assumption")
    assert micro.fp64_flop_per_cycle == 32 and micro.fma_latency_cycles is None
    assert ceiling.identify(_cpu("HygonGenuine", 24, 1, "sse2 avx avx2 fma")).fp64_flop_per_cycle == 16
    assert ceiling.identify(_cpu("", None, None, "fp asimd")) is None  # not x86: no ceiling


def test_ceiling_is_cores_times_clock_times_flop_per_cycle_at_the_higher_clock():
    assert ceiling.peak_ceiling_flop_per_s(2, 2.5e9, 16) == pytest.approx(80e9)
    assert ceiling.flop_per_cycle_per_core(80e9, 2, 2.5e9) == pytest.approx(16)
    zen4 = ceiling.identify(_cpu("AuthenticAMD", 25, 17, "avx2 fma avx512f"))
    c = ceiling.build_ceiling(zen4, 2, 2.8e9, 2.0e9, "/proc/cpuinfo cpu MHz")
    assert c.clock_source.startswith("measured") and c.fp64_flop_per_s == pytest.approx(2 * 2.8e9 * 16)
    low = ceiling.build_ceiling(zen4, 2, 1.4e9, 2.0e9, "/proc/cpuinfo cpu MHz")  # a clock read low
    assert low.clock_source == "nominal (/proc/cpuinfo cpu MHz)" and low.clock_hz == 2.0e9
    d = low.as_dict()
    assert d["fp32_flop_per_s"] == pytest.approx(2 * d["fp64_flop_per_s"])
    assert ceiling.build_ceiling(zen4, 1, None, None, None).fp64_flop_per_s is None


def test_nominal_clock_sources_in_order(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("vendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\n"
                       "cpu MHz\t\t: 1000.000\n")
    sysdir = tmp_path / "cpu0"
    assert ceiling.nominal_clock_hz(sys_cpu=sysdir, cpuinfo=cpuinfo) == (2.4e9, "model name")
    (sysdir / "cpufreq").mkdir(parents=True)
    (sysdir / "cpufreq" / "cpuinfo_max_freq").write_text("3700000\n")
    assert ceiling.nominal_clock_hz(sys_cpu=sysdir, cpuinfo=cpuinfo) == (3.7e9, "cpufreq cpuinfo_max_freq")
    cpuinfo.write_text("model name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2000.000\n")
    assert ceiling.nominal_clock_hz(sys_cpu=tmp_path / "none", cpuinfo=cpuinfo) == (2.0e9, "/proc/cpuinfo cpu MHz")


def test_hyperthreads_of_one_core_count_once(tmp_path):
    for cpu, core in ((0, 0), (1, 0), (2, 1)):
        topo = tmp_path / f"cpu{cpu}" / "topology"
        topo.mkdir(parents=True)
        (topo / "physical_package_id").write_text("0\n")
        (topo / "core_id").write_text(f"{core}\n")
    assert host.physical_cores([0, 1, 2], base=tmp_path) == 2
    assert host.physical_cores([0, 1], base=tmp_path) == 1
    assert host.physical_cores([7], base=tmp_path) == 1  # unreadable: the CPU counts


def test_clock_chain_matches_python_and_measures_a_positive_clock():
    assert clock.fma_chain(1000, clock.X, clock.Y) == pytest.approx(clock.fma_chain_reference(1000, clock.X, clock.Y),
                                                                   rel=1e-12)
    hz = clock.measure_clock_hz(4.0, sample_s=1e-4, samples=3)
    assert 0 < hz < float("inf")


# ------------------------------------------------------------------------ plausibility checks

ZEN4_CEILING = {"microarchitecture": "AMD Zen 4", "cores": 2, "clock_hz": 3.0e9,
                "fp64_flop_per_cycle_per_core": 16, "fp64_flop_per_s": 96e9, "assumption": False}


def _summary(**over):
    base = {
        "threads": 2,
        "peak_flop_per_s": {"fp64": 80e9, "fp32": 160e9},
        "apps": [{"kernel": "dgemm", "flop_per_s": 70e9}, {"kernel": "spmv", "flop_per_s": 2e9}],
        "memory": [{"name": "L1", "capacity_bytes": 64 * 2**10, "bandwidth_bytes_per_s": 400e9},
                   {"name": "L2", "capacity_bytes": 2 * 2**20, "bandwidth_bytes_per_s": 150e9},
                   {"name": "L3", "capacity_bytes": 30 * 2**20, "bandwidth_bytes_per_s": 60e9},
                   {"name": "DRAM", "capacity_bytes": 16 * 2**30, "bandwidth_bytes_per_s": 30e9}],
        "ceiling": dict(ZEN4_CEILING),
        "host": {"caches": [{"level": 1, "type": "Data", "size_bytes": 32 * 2**10, "shared_by": 1},
                            {"level": 1, "type": "Instruction", "size_bytes": 32 * 2**10, "shared_by": 1},
                            {"level": 2, "type": "Unified", "size_bytes": 2**20, "shared_by": 1},
                            {"level": 3, "type": "Unified", "size_bytes": 32 * 2**20, "shared_by": 2}]},
    }
    base.update(over)
    return base


def test_a_plausible_profile_passes_every_check():
    assert plausibility.check_profile(_summary()) == []
    assert plausibility.refusal_message([]) is None


def test_fp64_above_fp32_is_refused_and_only_warned_on_a_busy_host():
    s = _summary(peak_flop_per_s={"fp64": 80e9, "fp32": 60e9})
    (f,) = [f for f in plausibility.check_profile(s) if f.check == "fp64-above-fp32"]
    assert f.severity == "refuse"
    msg = plausibility.refusal_message(plausibility.check_profile(s))
    assert "fp64 peak 80 GFLOP/s above fp32 peak 60 GFLOP/s" in msg and "\n" not in msg
    busy = plausibility.check_profile(s, busy=True)
    assert busy and all(f.severity == "warn" for f in busy) and plausibility.refusal_message(busy) is None
    low = plausibility.check_profile(_summary(peak_flop_per_s={"fp64": 80e9, "fp32": 100e9}))
    assert [(f.check, f.severity) for f in low] == [("fp32-below-2x-fp64", "warn")]


@pytest.mark.parametrize("dgemm, expected", [(70e9, []), (95e9, ["warn"]), (130e9, ["refuse"])])
def test_a_kernel_above_the_measured_peak(dgemm, expected):
    s = _summary(ceiling=None, apps=[{"kernel": "dgemm", "flop_per_s": dgemm}])
    found = [f.severity for f in plausibility.check_profile(s) if f.check == "kernel-above-peak"]
    assert found == expected


def test_rates_above_the_ceiling_refused_unless_the_ceiling_is_an_assumption_or_the_host_busy():
    # an FMA peak of 32 FLOP/cycle/core on Zen 4 (16): twice the ceiling
    s = _summary(peak_flop_per_s={"fp64": 192e9, "fp32": 384e9}, apps=[])
    found = plausibility.check_profile(s)
    assert {(f.check, f.severity) for f in found} == {("above-ceiling", "refuse")} and len(found) == 2
    assumed = _summary(peak_flop_per_s={"fp64": 192e9, "fp32": 384e9}, apps=[],
                       ceiling={**ZEN4_CEILING, "assumption": True})
    assert {f.severity for f in plausibility.check_profile(assumed)} == {"warn"}
    assert {f.severity for f in plausibility.check_profile(s, busy=True)} == {"warn"}
    near = _summary(peak_flop_per_s={"fp64": 100e9, "fp32": 200e9}, apps=[])  # 1.04x: clock noise
    assert plausibility.check_profile(near) == []
    above = _summary(peak_flop_per_s={"fp64": 120e9, "fp32": 240e9}, apps=[])  # 1.25x: warned
    assert {f.severity for f in plausibility.check_profile(above)} == {"warn"}


def test_an_inner_level_slower_than_the_outer_one():
    def memory(l3_bw):
        return [{"name": "L3", "capacity_bytes": 30 * 2**20, "bandwidth_bytes_per_s": l3_bw},
                {"name": "DRAM", "capacity_bytes": 2**34, "bandwidth_bytes_per_s": 30e9}]

    assert plausibility.check_bandwidth_order(_summary(memory=memory(40e9))) == []
    (warn,) = plausibility.check_bandwidth_order(_summary(memory=memory(25e9)))
    assert warn.severity == "warn" and "L3 25 GB/s slower than DRAM 30 GB/s" in warn.message
    (refuse,) = plausibility.check_bandwidth_order(_summary(memory=memory(15e9)))
    assert refuse.severity == "refuse"
    assert plausibility.check_bandwidth_order(_summary(memory=memory(15e9)), busy=True)[0].severity == "warn"


def test_cache_capacity_checked_against_the_os():
    rows, findings = plausibility.cache_agreement(_summary())
    assert [r["level"] for r in rows] == ["L1", "L2", "L3"]  # the instruction cache is not a data level
    by = {r["level"]: r for r in rows}
    assert by["L1"]["os_bytes"] == 64 * 2**10 and by["L2"]["os_bytes"] == 2 * 2**20  # one per thread
    assert by["L3"]["os_bytes"] == 32 * 2**20  # shared by both threads: one instance
    assert all(r["agree"] for r in rows) and findings == []
    # the busy Zen 4 run: an L3 plateau ending at 13.5 MiB where the OS says 32 MiB
    mem = _summary()["memory"]
    mem[2] = {**mem[2], "capacity_bytes": 13.5 * 2**20}
    rows, findings = plausibility.cache_agreement(_summary(memory=mem))
    (f,) = findings
    assert f.severity == "warn" and "L3" in f.message and "32 MiB" in f.message
    no_plateau = _summary(memory=[m for m in mem if m["name"] != "L1"])
    assert {r["level"]: r["inferred_bytes"] for r in plausibility.cache_agreement(no_plateau)[0]}["L1"] is None


def test_checks_read_a_saved_bench_json(tmp_path):
    # the summary `fsw bench --json` prints has the shape the checks read; a JSON round trip keeps it
    s = json.loads(json.dumps(_summary(peak_flop_per_s={"fp64": 80e9, "fp32": 60e9})))
    assert plausibility.refusal_message(plausibility.check_profile(s)).startswith("physically impossible profile")


def test_cli_refuses_an_impossible_profile_and_writes_nothing(monkeypatch, tmp_path, capsys):
    import archmodels.bench.suite as suite

    findings = tuple(plausibility.check_profile(_summary(peak_flop_per_s={"fp64": 80e9, "fp32": 60e9})))
    fake = SimpleNamespace(findings=findings, notes=(), refusal=plausibility.refusal_message(list(findings)))
    monkeypatch.setattr(suite, "run_suite", lambda **kw: fake)
    out = tmp_path / "host.toml"
    for argv in (["bench", "--quick", "--out", str(out)], ["bench", "--quick", "--validate"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("error: fsw bench: physically impossible profile, not written: fp64 peak")
        assert "Traceback" not in "\n".join(err)
    assert list(tmp_path.iterdir()) == []


def test_untrustworthy_profile_says_so_and_still_loads(tmp_path):
    prof = HostProfile(
        name="host-test", cpu_model="Test CPU", cores=2, peak_flop_per_s={"fp64": 80e9, "fp32": 160e9},
        memory=(MemoryLevelProfile("L1", "sram", 64 * 2**10, 300e9, None),
                MemoryLevelProfile("DRAM", "ddr5", 2**34, 20e9, None, capacity_measured=False)),
        version="0.1.0", date="2026-12-03", year=2026, threads=2, notes="untrustworthy: busy host",
        trustworthy=False)
    path = write_text_atomic(tmp_path / "host.toml", profile_toml(prof))
    import tomllib

    assert "# UNTRUSTWORTHY" in path.read_text()
    assert "untrustworthy" in tomllib.loads(path.read_text())["notes"]
    assert archmodels.load_machine(str(path)).nodes == 1
