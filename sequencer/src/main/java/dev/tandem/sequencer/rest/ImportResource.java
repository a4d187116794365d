package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.persistence.HistoryVerifier;
import dev.tandem.sequencer.archive.ArchiveReader;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Json;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * {@code POST /api/docs/{id}/import} (admin): stores a document under {@code id} from a history in
 * the export format; nothing is stored unless the id is free and the whole history verifies (its
 * chain, its checkpoints, its ops).
 */
@Path("docs/{id}/import")
@Singleton
public final class ImportResource {

  private final Sequencers sequencers;
  private final Access access;

  @Inject
  ImportResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON) // JSON Lines; any other type is refused (JsonBodies)
  @Produces(MediaType.APPLICATION_JSON)
  public void importDocument(
      @PathParam("id") String id,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      InputStream body,
      @Suspended AsyncResponse response) {
    DocumentResource.answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.admin(headers, token, docId);
          BufferedReader lines =
              new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 65536);
          return sequencers
              .archive(
                  archive ->
                      archive.importDocument(
                          visitor -> new ArchiveReader(lines, docId).readInto(visitor)))
              .thenApply(
                  summary ->
                      Response.status(201)
                          .type(MediaType.APPLICATION_JSON_TYPE)
                          .entity(Json.write(summaryJson(summary)))
                          .build());
        });
  }

  static ObjectNode summaryJson(HistoryVerifier.Summary summary) {
    ObjectNode body = Json.object();
    body.put("id", summary.docId());
    body.put("rev", summary.head());
    body.put("ops", summary.ops());
    body.put("checkpoints", summary.checkpoints());
    body.put("headHash", summary.headHash());
    return body;
  }
}
