package dev.tandem.sequencer.rest;

import dev.tandem.sequencer.archive.ArchiveWriter;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.protocol.Ids;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /api/docs/{id}/export} (admin): the document's whole history in the export format
 * ({@link ArchiveWriter}), streamed from one snapshot of the database.
 */
@Path("docs/{id}/export")
@Singleton
public final class ExportResource {
  static final String EXPORT_TYPE = "application/x-ndjson";

  private final Sequencers sequencers;
  private final Access access;

  @Inject
  ExportResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @GET
  public void export(
      @PathParam("id") String id,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    DocumentResource.answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.admin(headers, token, docId);
          // Known to exist before the status line goes out; the stream reads one snapshot, on the
          // database thread that resumes the response. A failure midway cuts the stream short of
          // its end line, which a reader reports.
          return sequencers
              .archive(
                  archive -> {
                    archive.header(docId);
                    return archive;
                  })
              .thenApply(
                  archive -> {
                    StreamingOutput stream =
                        output -> {
                          Writer writer =
                              new BufferedWriter(
                                  new OutputStreamWriter(output, StandardCharsets.UTF_8), 65536);
                          archive.export(docId, new ArchiveWriter(writer));
                        };
                    return Response.ok(stream, EXPORT_TYPE).build();
                  });
        });
  }
}
