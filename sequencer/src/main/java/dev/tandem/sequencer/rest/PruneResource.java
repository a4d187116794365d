package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Json;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
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

/**
 * {@code POST /api/docs/{id}/prune?before=N} (admin): drops the history before revision N, keeping
 * a checkpoint there (see {@link dev.tandem.persistence.Archive#prune}); the document's sequencer
 * learns of it, so clients below N are resynced.
 */
@Path("docs/{id}/prune")
@Singleton
public final class PruneResource {
  private final Sequencers sequencers;
  private final Access access;

  @Inject
  PruneResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @POST
  @Produces(MediaType.APPLICATION_JSON)
  public void prune(
      @PathParam("id") String id,
      @QueryParam("before") String before,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    DocumentResource.answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.admin(headers, token, docId);
          if (before == null) {
            throw Errors.badRequest("query parameter 'before' is required");
          }
          long revision = DocumentResource.parseLong("before", before);
          return sequencers
              .prune(docId, revision)
              .thenApply(
                  summary -> {
                    ObjectNode body = Json.object();
                    body.put("id", docId);
                    body.put("start", summary.start());
                    body.put("ops", summary.opsRemoved());
                    body.put("checkpoints", summary.checkpointsRemoved());
                    return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE).build();
                  });
        });
  }
}
