/** Tandem persistence. */
package dev.tandem.persistence;
