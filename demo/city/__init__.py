"""The city-scale synthetic programme for the benchmark, one module per
domain app, in the order the apps depend on each other."""
