"""asv benchmarks of the candidate-study layer: variant expansion, scaling tables, stacked-SRAM sweeps,
the MN-Core portfolio comparison; and tracked model outputs that a model change should not move
silently (MN-3 GFLOPS/W, the stacked-SRAM gain of the memory-bound workloads)."""

from archmodels.accelerators import green500_check, portfolio_comparison
from archmodels.loaders import _load_machine_file, load_machine
from archmodels.scaling import scaling
from archmodels.variants import capacity_sweep

NODES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096]
CAPACITIES = [2.0**k * 2**20 for k in range(4, 15)]


class Variants:
    def time_expand_variant_of_variant_cold(self):
        _load_machine_file.cache_clear()
        load_machine("fugaku-next-3d")


class Scaling:
    def setup(self):
        load_machine("fugaku")

    def time_strong_scaling_13_counts(self):
        scaling("fugaku", "stencil-7pt", NODES, "strong")

    def time_weak_scaling_13_counts(self):
        scaling("fugaku", "hpcg", NODES, "weak")


class StackedSram:
    params = [["stencil-7pt", "spmv", "llm-decode"]]
    param_names = ["workload"]

    def time_capacity_sweep_11_sizes(self, workload):
        capacity_sweep("cand-cpu-3dsram-cpo", [workload], CAPACITIES)

    def track_gain_16mib_to_16gib_percent(self, workload):
        df = capacity_sweep("cand-cpu-3dsram-cpo", [workload], [CAPACITIES[0], CAPACITIES[-1]])
        return 100.0 * (1.0 - df["relative_time"].iloc[-1])


class MnCore:
    timeout = 120

    def time_portfolio_comparison(self):
        portfolio_comparison()

    def track_mn3_gflops_per_w(self):
        return next(c["model"] for c in green500_check() if c["metric"] == "gflops_per_w") / 1e9
