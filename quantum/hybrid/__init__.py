"""Quantum-HPC hybrid workflows: QPU models and placements, workflow shapes (VQE, QAOA, SQD), a
discrete-event simulation of a shared quantum device, what-if sweeps, crossover with emulation,
and small real VQE/QAOA runs through the project's primitives."""
