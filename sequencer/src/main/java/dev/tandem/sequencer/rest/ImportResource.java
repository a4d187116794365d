package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.sequencer.archive.ArchiveReader;
import dev.tandem.sequencer.auth.Role;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.rest.Endpoint.Created;
import dev.tandem.sequencer.rest.Endpoint.Requires;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /api/docs/{id}/import} (admin): stores a document under {@code id} from a history in
 * the export format; nothing is stored unless the id is free and the whole history verifies (its
 * chain, its checkpoints, its ops).
 */
@Path("docs/{id}/import")
@Singleton
public final class ImportResource {
  /** What was stored: the head, its counts and the chain hash at the head. */
  public record Imported(
      String id, @JsonProperty("rev") long head, long ops, long checkpoints, String headHash) {
    static Imported of(HistoryVerifier.Summary summary) {
      return new Imported(
          summary.docId(),
          summary.head(),
          summary.ops(),
          summary.checkpoints(),
          summary.headHash());
    }
  }

  private final Sequencers sequencers;

  @Inject
  ImportResource(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON) // JSON Lines; any other type is refused (JsonBodies)
  @Produces(MediaType.APPLICATION_JSON)
  @Requires(Role.ADMIN)
  @Created
  @Operation(summary = "Stores a document from an export, once its whole history verifies (201)")
  public CompletionStage<Imported> importDocument(@PathParam("id") String id, InputStream body) {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 65536);
    return sequencers
        .archive(
            archive ->
                archive.importDocument(visitor -> new ArchiveReader(lines, id).readInto(visitor)))
        .thenApply(Imported::of);
  }
}
