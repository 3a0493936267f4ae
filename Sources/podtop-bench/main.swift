// Micro-benchmarks live here; see scripts/bench.
