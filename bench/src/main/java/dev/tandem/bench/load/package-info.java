/**
 * The load generator: drives a Tandem server over the real WebSocket protocol with the workloads of
 * docs/performance.md, "Load" (hot-doc, typists, many-docs, idle, recovery) and prints each run as
 * one JSON line and a table. {@link dev.tandem.bench.load.LoadGenerator} is the command line.
 */
package dev.tandem.bench.load;
