/**
 * The REST API and the SSE feed (Jersey on the server's Grizzly listener, under {@code /api}): thin
 * resources that parse, ask the {@link dev.tandem.sequencer.auth.RoleAuthorizer} for the role each
 * call needs, hand to the {@link dev.tandem.sequencer.document.Sequencers} and answer
 * asynchronously, with errors as {@code {code, message}} and the status of their {@link
 * dev.tandem.sequencer.error.ErrorCode}.
 */
package dev.tandem.sequencer.rest;
