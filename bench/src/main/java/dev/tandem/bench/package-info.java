/** Tandem bench. */
package dev.tandem.bench;
