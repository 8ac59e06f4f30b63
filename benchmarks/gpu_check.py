"""Device check of the GPU engine: the layered circuit of compare_aer.py on a CUDA device vs the CPU.

    python benchmarks/gpu_check.py [--qubits 24 26 28 30] [--layers 10] [--precision double single]
                                   [--fused 2 4] [--repeat 3] [--cpu-max-qubits 28] [--seed 0] [--sample-qubits 20]
                                   [--json]

Prepared for a lent H100/H200 (numba.cuda needs the NVIDIA driver and, for numba's built-in CUDA
target, a CUDA toolkit's NVVM, e.g. the ``nvidia-cuda-nvcc-cu12`` wheel with ``CUDA_HOME`` at its
``nvidia/cuda_nvcc`` folder); not an asv benchmark and never run by CI. For each qubit count,
precision and fusion width it times ``EmulatorEstimator(device="gpu")`` on exact <sum Z>, best of
``--repeat`` after a warm-up that compiles the kernels, and beside it, where installed and able:

* the CPU engine (``device="cpu"``, all numba threads) up to ``--cpu-max-qubits``;
* Qiskit Aer's EstimatorV2 on ``device="GPU"`` (the qiskit-aer-gpu build), and the same with
  ``cuStateVec_enable=True`` (NVIDIA cuQuantum's cuStateVec inside Aer); skipped, with the reason
  printed, when Aer has no GPU device.

The effective bandwidth counts ``passes * 2 * state_bytes + state_bytes`` (every pass reads and
writes the state; the observable reads it once) over the time, against the device's peak HBM
bandwidth from its attributes (2 * memory clock * bus width, double data rate) and a measured
device-to-device copy. Samples 10,000 shots of a 20-qubit layered circuit on both devices too.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # as compare_aer.py: before numba/Aer load libgomp


def device_figures() -> dict:
    """Name, memory and bandwidths of the current CUDA device [B, B/s]."""
    import numpy as np

    from quantum.cuda_engine import device_free_bytes, require_device

    cuda = require_device()
    free, total = device_free_bytes()
    if hasattr(cuda, "get_current_device"):
        dev = cuda.get_current_device()
        name = dev.name.decode() if isinstance(dev.name, bytes) else str(dev.name)
        try:
            peak = 2 * dev.MEMORY_CLOCK_RATE * 1e3 * dev.GLOBAL_MEMORY_BUS_WIDTH / 8  # kHz, bits
        except AttributeError:
            peak = None
    else:  # numba's CUDA simulator (a smoke test of this script on the CPU)
        name, peak = "numba CUDA simulator", None
    n = 1 << 26  # 512 MiB of float64, far beyond any L2
    a = cuda.device_array(n, dtype=np.float64)
    b = cuda.device_array(n, dtype=np.float64)
    b.copy_to_device(a)
    cuda.synchronize()
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        b.copy_to_device(a)
        cuda.synchronize()
        best = min(best, time.perf_counter() - t0)
    return {
        "device_name": name,
        "device_free_bytes": free,
        "device_total_bytes": total,
        "peak_hbm_bandwidth_bytes_per_s": peak,
        "copy_bandwidth_bytes_per_s": 2 * n * 8 / best,
    }


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _aer_gpu(custatevec: bool, precision: str):
    """Aer's EstimatorV2 on its GPU device, or the reason it cannot run."""
    try:
        from qiskit_aer import AerSimulator
        from qiskit_aer.primitives import EstimatorV2 as AerEstimator
    except ImportError as err:
        return None, f"qiskit-aer not installed ({err})"
    if "GPU" not in AerSimulator().available_devices():
        return None, "Aer has no GPU device (install the qiskit-aer-gpu build)"
    opts = {"device": "GPU", "method": "statevector", "precision": precision}
    if custatevec:
        opts["cuStateVec_enable"] = True
    return AerEstimator(options={"backend_options": opts}), None


def check(qubit_counts, layers, precisions, fused_widths, repeat, cpu_max_qubits, seed, sample_qubits=20) -> dict:
    from quantum import EmulatorEstimator
    from quantum.emulation_validation import layered_circuit

    from compare_aer import z_sum

    out = {"device": device_figures(), "layers": layers, "repeat": repeat, "seed": seed, "runs": []}
    n_small = min(12, *qubit_counts)
    small = layered_circuit(n_small, 2, seed)
    for precision in precisions:
        peers = {"aer_gpu": _aer_gpu(False, precision), "aer_custatevec": _aer_gpu(True, precision)}
        for fused in fused_widths:
            gpu = EmulatorEstimator(device="gpu", precision=precision, fused_qubits=fused, seed=seed)
            cpu = EmulatorEstimator(device="cpu", precision=precision, fused_qubits=fused, seed=seed)
            gpu.run([(small, z_sum(n_small))]).result()  # compile the kernels for this dtype
            cpu.run([(small, z_sum(n_small))]).result()
            for n in qubit_counts:
                qc, obs = layered_circuit(n, layers, seed), z_sum(n)
                t_gpu, r_gpu = _best(lambda: gpu.run([(qc, obs)]).result()[0], repeat)
                state_bytes = (16 if precision == "double" else 8) * 2**n
                passes = r_gpu.metadata["passes"]
                row = {
                    "n_qubits": n,
                    "precision": precision,
                    "fused_qubits": fused,
                    "gpu_time_s": t_gpu,
                    "gpu_passes": passes,
                    "gpu_bandwidth_bytes_per_s": (passes * 2 * state_bytes + state_bytes) / t_gpu,
                    "gpu_expectation": float(r_gpu.data.evs),
                }
                if n <= cpu_max_qubits:
                    t_cpu, r_cpu = _best(lambda: cpu.run([(qc, obs)]).result()[0], repeat)
                    row.update(cpu_time_s=t_cpu, cpu_passes=r_cpu.metadata["passes"],
                               gpu_cpu_abs_difference=abs(float(r_cpu.data.evs) - row["gpu_expectation"]))
                for name, (est, why) in peers.items():
                    if est is None:
                        row[f"{name}_skipped"] = why
                        continue
                    est.run([(small, z_sum(n_small))]).result()
                    t, r = _best(lambda: est.run([(qc, obs)]).result()[0], repeat)
                    row[f"{name}_time_s"] = t
                    row[f"{name}_abs_difference"] = abs(float(r.data.evs) - row["gpu_expectation"])
                out["runs"].append(row)
    out["sampling"] = _sampling(sample_qubits, seed, repeat)
    return out


def _sampling(n_qubits: int, seed: int, repeat: int) -> dict:
    """10,000 shots of a measured layered circuit (20 qubits by default) on both devices."""
    from quantum import EmulatorSampler
    from quantum.emulation_validation import layered_circuit

    qc = layered_circuit(n_qubits, 10, seed)
    qc.measure_all()
    res = {}
    for device in ("gpu", "cpu"):
        sampler = EmulatorSampler(device=device, seed=seed)
        sampler.run([qc], shots=100).result()
        res[f"{device}_time_s"], _ = _best(lambda: sampler.run([qc], shots=10_000).result(), repeat)
    res["n_qubits"] = n_qubits
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qubits", type=int, nargs="+", default=[24, 26, 28, 30])
    parser.add_argument("--layers", type=int, default=10)
    parser.add_argument("--precision", nargs="+", default=["double", "single"], choices=["double", "single"])
    parser.add_argument("--fused", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu-max-qubits", type=int, default=28)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sample-qubits", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = check(args.qubits, args.layers, args.precision, args.fused, args.repeat, args.cpu_max_qubits, args.seed,
                args.sample_qubits)
    if args.json:
        print(json.dumps(out, sort_keys=True, indent=2))
        return
    d = out["device"]
    peak = d["peak_hbm_bandwidth_bytes_per_s"]
    print(f"device: {d['device_name']}, {d['device_total_bytes'] / 2**30:.1f} GiB, peak HBM "
          f"{peak / 1e9:.0f} GB/s" if peak else f"device: {d['device_name']}, peak HBM unknown")
    print(f"device-to-device copy: {d['copy_bandwidth_bytes_per_s'] / 1e9:.0f} GB/s")
    for r in out["runs"]:
        line = (f"{r['n_qubits']:2d} q {r['precision']:6s} fused {r['fused_qubits']}: gpu {r['gpu_time_s']:.4f} s "
                f"({r['gpu_passes']} passes, {r['gpu_bandwidth_bytes_per_s'] / 1e9:.0f} GB/s"
                + (f", {r['gpu_bandwidth_bytes_per_s'] / peak:.0%} of peak)" if peak else ")"))
        if "cpu_time_s" in r:
            line += f"; cpu {r['cpu_time_s']:.3f} s ({r['cpu_time_s'] / r['gpu_time_s']:.1f}x), |diff| {r['gpu_cpu_abs_difference']:.1e}"
        for name in ("aer_gpu", "aer_custatevec"):
            if f"{name}_time_s" in r:
                line += f"; {name} {r[f'{name}_time_s']:.4f} s (ours/{name} {r['gpu_time_s'] / r[f'{name}_time_s']:.2f})"
        print(line)
    for name in ("aer_gpu", "aer_custatevec"):
        why = next((r[f"{name}_skipped"] for r in out["runs"] if f"{name}_skipped" in r), None)
        if why:
            print(f"{name}: skipped, {why}")
    s = out["sampling"]
    print(f"sampling 10,000 shots at {s['n_qubits']} qubits: gpu {s['gpu_time_s']:.4f} s, cpu {s['cpu_time_s']:.4f} s")


if __name__ == "__main__":
    main()
