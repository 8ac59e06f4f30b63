// A 4-qubit GHZ state: `fsw quantum run examples/circuit.qasm --shots 1000 --seed 1`
// gives counts of 0000 and 1111 only (about half each).
OPENQASM 2.0;
include "qelib1.inc";
qreg q[4];
creg c[4];
h q[0];
cx q[0], q[1];
cx q[1], q[2];
cx q[2], q[3];
barrier q;
measure q -> c;
