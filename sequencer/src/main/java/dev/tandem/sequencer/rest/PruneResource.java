package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.rest.Endpoint.Requires;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /api/docs/{id}/prune?before=N} (admin): drops the history before revision N, keeping
 * a checkpoint there (see {@link dev.tandem.persistence.Archive#prune}); the document's sequencer
 * learns of it, so clients below N are resynced.
 */
@Path("docs/{id}/prune")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class PruneResource {
  /** The history now starts at {@code start}; {@code ops} and {@code checkpoints} were removed. */
  public record Pruned(
      String id,
      long start,
      @JsonProperty("ops") long opsRemoved,
      @JsonProperty("checkpoints") long checkpointsRemoved) {}

  private final Sequencers sequencers;

  @Inject
  PruneResource(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  @POST
  @Requires(Role.ADMIN)
  @Operation(summary = "Drops the history before revision before, keeping a checkpoint there")
  public CompletionStage<Pruned> prune(
      @PathParam("id") String id, @QueryParam("before") Long before) {
    if (before == null) {
      throw Errors.badRequest("query parameter 'before' is required");
    }
    return sequencers
        .prune(id, before)
        .thenApply(
            summary ->
                new Pruned(
                    id, summary.start(), summary.opsRemoved(), summary.checkpointsRemoved()));
  }
}
