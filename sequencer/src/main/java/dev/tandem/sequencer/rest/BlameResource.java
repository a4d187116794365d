package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tandem.persistence.AuthorRun;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.rest.Endpoint.Requires;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /api/docs/{id}/blame?rev=N} (read): who last inserted each code point of the text at
 * revision N (the head without {@code rev}), as runs in text order, from the nearest checkpoint's
 * stored authorship plus a replay.
 */
@Path("docs/{id}/blame")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class BlameResource {
  /** The text at {@code rev} as runs in text order. */
  public record Blame(String id, @JsonProperty("rev") long revision, List<Run> runs) {}

  /**
   * {@code length} code points last inserted by {@code user} at {@code rev}; user null if unknown.
   */
  public record Run(
      @JsonProperty("user") @JsonInclude(JsonInclude.Include.ALWAYS) String userId,
      @JsonProperty("rev") long revision,
      long length) {
    static Run of(AuthorRun run) {
      return new Run(run.userId(), run.revision(), run.length());
    }
  }

  private final Sequencers sequencers;

  @Inject
  BlameResource(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  @GET
  @Requires(Role.READ)
  @Operation(summary = "Who last inserted each part of the text at revision rev (the head without)")
  public CompletionStage<Blame> blame(@PathParam("id") String id, @QueryParam("rev") Long rev) {
    CompletableFuture<Long> revision =
        rev != null
            ? CompletableFuture.completedFuture(rev)
            : sequencers.archive(archive -> archive.header(id).head());
    return revision.thenCompose(
        r ->
            sequencers
                .archive(archive -> archive.blame(id, r))
                .thenApply(runs -> new Blame(id, r, runs.stream().map(Run::of).toList())));
  }
}
