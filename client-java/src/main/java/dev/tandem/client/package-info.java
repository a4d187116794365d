/** Tandem client-java. */
package dev.tandem.client;
