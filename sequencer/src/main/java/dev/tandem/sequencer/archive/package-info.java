/**
 * A document's whole history as a file: the export format that {@code tandem export} writes, {@code
 * tandem import} reads and {@code GET /api/docs/{id}/export} streams (see docs/cli.md).
 */
package dev.tandem.sequencer.archive;
