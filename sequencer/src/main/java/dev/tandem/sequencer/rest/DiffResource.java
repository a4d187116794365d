package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.tandem.ot.OperationJson;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.rest.Endpoint.Requires;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /api/docs/{id}/diff?from=A&to=B} (read): the ops after revision A up to B composed
 * into one op, which turns the text at A into the text at B.
 */
@Path("docs/{id}/diff")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class DiffResource {
  /** {@code op} turns the text at {@code from} into the text at {@code to}. */
  public record Diff(
      String id,
      long from,
      long to,
      @JsonRawValue @ArraySchema(schema = @Schema(implementation = Object.class)) String op) {}

  private final Sequencers sequencers;

  @Inject
  DiffResource(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  @GET
  @Requires(Role.READ)
  @Operation(summary = "The ops after revision from up to to, composed into one op")
  public CompletionStage<Diff> diff(
      @PathParam("id") String id, @QueryParam("from") Long from, @QueryParam("to") Long to) {
    if (from == null || to == null) {
      throw Errors.badRequest("query parameters 'from' and 'to' are required");
    }
    return sequencers
        .archive(archive -> archive.diff(id, from, to))
        .thenApply(op -> new Diff(id, from, to, OperationJson.toJson(op)));
  }
}
