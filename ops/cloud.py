"""Cloud bursting: an on-demand cloud offer and what running jobs on it costs and emits.

A cloud site is a :class:`ops.federation.Site` with a :class:`CloudOffer`. Its ``nodes`` are the
account's quota (instances it may hold at once); capacity is elastic below the quota, so a job
waits for its input, then ``startup_s`` of provisioning, then runs. Instances are held (and billed,
per second) only while a job runs on them:

    node_hours = Σ_j procs_j · run_j / 3600;   cost_jpy = node_hours · price_jpy_per_node_hour

Output returned home leaves the provider's network and is billed per GB:

    egress_jpy = Σ_j output_j / 1e9 · egress_jpy_per_gb

The energy of a cloud job is its nodes' busy power (the site's power model: idle plus the job's
share of the dynamic power, times the provider's PUE) over its run, and its carbon that energy times
the region's grid intensity:

    energy_j = Σ_j procs_j · run_j · (P_idle + u_j · (P_max − P_idle)) · PUE;   carbon_g = energy_j / 3.6e6 · CI

Defaults (:func:`aws_hpc6a_offer`): AWS EC2 hpc6a.48xlarge (96 AMD EPYC Milan cores, 100 Gbit/s
EFA) on demand in US East (Ohio), 2.88 USD per instance-hour (Amazon EC2 Hpc6a instances,
https://aws.amazon.com/ec2/instance-types/hpc6/ and https://aws.amazon.com/ec2/pricing/on-demand/,
list price as listed 2022-2026; the same figure in converged-computing/metrics-operator-experiments,
aws/spot-instances/run1/README.md); data transfer out to the internet 0.09 USD/GB for the first
10 TB a month (https://aws.amazon.com/ec2/pricing/on-demand/, "Data Transfer"; the headline tier,
https://www.egresscost.com/aws); transfer in is free. Dollars become yen at cost.toml's exchange
rate (:func:`archmodels.cost.default_exchange`, 150 JPY/USD, an assumption). Per-second billing of
Linux on-demand instances (AWS EC2 pricing page) is why only run time is billed; the provisioning
delay (instances pending, not billed) is an ``assumption`` of 300 s, as is the region's intensity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from archmodels.errors import InputError

#: AWS hpc6a.48xlarge on demand, US East (Ohio) [USD per instance-hour] (module docstring)
HPC6A_USD_PER_HOUR = 2.88
#: AWS data transfer out to the internet, first 10 TB a month [USD/GB] (module docstring)
AWS_EGRESS_USD_PER_GB = 0.09
#: time to provision instances before a job starts [s] (``assumption``)
DEFAULT_STARTUP_S = 300.0
#: grid intensity of the cloud region [g/kWh] (``assumption``: about the PJM/RFC-West average that
#: serves Ohio, of the order of US EPA eGRID's RFCW subregion, https://www.epa.gov/egrid)
DEFAULT_CLOUD_CARBON_G_PER_KWH = 480.0
#: the provider's power usage effectiveness [-] (AWS's reported global PUE for 2023, 1.15,
#: https://sustainability.aboutamazon.com/products-services/aws-cloud)
DEFAULT_CLOUD_PUE = 1.15


@dataclass(frozen=True)
class CloudOffer:
    """What a cloud charges and emits: price per node-hour, egress per GB, provisioning, intensity."""

    price_jpy_per_node_hour: float  #: on-demand price of one node (instance) for an hour [JPY/h]
    egress_jpy_per_gb: float  #: data transfer out of the cloud [JPY/GB]
    startup_s: float = DEFAULT_STARTUP_S  #: provisioning delay before a job starts [s]
    carbon_g_per_kwh: float = DEFAULT_CLOUD_CARBON_G_PER_KWH  #: the region's grid intensity [g/kWh]
    source: str = "AWS hpc6a.48xlarge on demand (ops.cloud)"

    def __post_init__(self):
        for name in ("price_jpy_per_node_hour", "egress_jpy_per_gb", "startup_s", "carbon_g_per_kwh"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise InputError(f"cloud offer: {name} must be a finite number >= 0, got {value!r}")


def aws_hpc6a_offer(exchange=None, **overrides) -> CloudOffer:
    """The AWS hpc6a.48xlarge on-demand offer in JPY at ``exchange`` (default cost.toml's rate);
    ``overrides`` replace any field."""
    from archmodels.cost import default_exchange

    rate = (exchange or default_exchange()).jpy_per_usd
    fields = {"price_jpy_per_node_hour": HPC6A_USD_PER_HOUR * rate, "egress_jpy_per_gb": AWS_EGRESS_USD_PER_GB * rate}
    return CloudOffer(**{**fields, **overrides})


def cloud_bill(offer: CloudOffer, procs, run_s, utilization, output_bytes, power) -> dict:
    """Node-hours, compute cost, egress cost, energy and carbon of the jobs run on a cloud site.

    Parameters
    ----------
    offer : CloudOffer
    procs : array [nodes];  run_s : array [s];  utilization : array [-];  output_bytes : array [B]
        Per job run there.
    power : PowerModel
        The cloud node's idle and maximum power [W] and the provider's PUE [-].

    Returns
    -------
    dict with ``node_hours`` [node-h], ``compute_cost_jpy``, ``egress_cost_jpy``, ``egress_bytes`` [B],
    ``energy_j`` [J], ``carbon_g`` [g] (equations in the module docstring).
    """
    procs, run_s = np.asarray(procs, dtype=float), np.asarray(run_s, dtype=float)
    util, out = np.asarray(utilization, dtype=float), np.asarray(output_bytes, dtype=float)
    node_s = procs * run_s
    node_hours = float(node_s.sum() / 3600.0)
    energy = float(np.sum(node_s * (power.idle_w + util * (power.max_w - power.idle_w))) * power.pue)
    return {"node_hours": node_hours, "compute_cost_jpy": node_hours * offer.price_jpy_per_node_hour,
            "egress_bytes": float(out.sum()), "egress_cost_jpy": float(out.sum() / 1e9 * offer.egress_jpy_per_gb),
            "energy_j": energy, "carbon_g": energy / 3.6e6 * offer.carbon_g_per_kwh}
