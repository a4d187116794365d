/**
 * Command lines of the {@code tandem} tool, written with picocli: each command is an annotated
 * class whose options, {@code --help} and error messages come from its annotations. {@link
 * dev.tandem.sequencer.cli.TokenCommand} ({@code tandem token}) mints development tokens.
 *
 * <p>Commands use the server's packages; nothing in the server depends on this package.
 */
package dev.tandem.sequencer.cli;
