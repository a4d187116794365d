package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.archive.ArchiveWriter;
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
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /api/docs/{id}/export} (admin): the document's whole history in the export format
 * ({@link ArchiveWriter}), streamed from one snapshot of the database.
 */
@Path("docs/{id}/export")
@Singleton
public final class ExportResource {
  static final String EXPORT_TYPE = "application/x-ndjson";

  private final Sequencers sequencers;

  @Inject
  ExportResource(Sequencers sequencers) {
    this.sequencers = sequencers;
  }

  /**
   * Known to exist before the status line goes out; the stream reads one snapshot, on the database
   * thread that resumes the response. A failure midway cuts the stream short of its end line, which
   * a reader reports.
   */
  @GET
  @Produces(EXPORT_TYPE)
  @Requires(Role.ADMIN)
  @Operation(summary = "The document's whole history in the export format (JSON Lines)")
  public CompletionStage<StreamingOutput> export(@PathParam("id") String id) {
    return sequencers
        .archive(
            archive -> {
              archive.header(id);
              return archive;
            })
        .thenApply(
            archive ->
                output -> {
                  Writer writer =
                      new BufferedWriter(
                          new OutputStreamWriter(output, StandardCharsets.UTF_8), 65536);
                  archive.export(id, new ArchiveWriter(writer));
                });
  }
}
