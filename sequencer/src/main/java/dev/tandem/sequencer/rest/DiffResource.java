package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.ot.OperationJson;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Json;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.GET;
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
 * {@code GET /api/docs/{id}/diff?from=A&to=B} (read): the ops after revision A up to B composed
 * into one op, which turns the text at A into the text at B.
 */
@Path("docs/{id}/diff")
@Singleton
public final class DiffResource {
  private final Sequencers sequencers;
  private final Access access;

  @Inject
  DiffResource(Sequencers sequencers, Access access) {
    this.sequencers = sequencers;
    this.access = access;
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public void diff(
      @PathParam("id") String id,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    DocumentResource.answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.read(headers, token, docId);
          if (from == null || to == null) {
            throw Errors.badRequest("query parameters 'from' and 'to' are required");
          }
          long a = DocumentResource.parseLong("from", from);
          long b = DocumentResource.parseLong("to", to);
          return sequencers
              .archive(archive -> archive.diff(docId, a, b))
              .thenApply(
                  op -> {
                    ObjectNode body = Json.object();
                    body.put("id", docId);
                    body.put("from", a);
                    body.put("to", b);
                    body.putRawValue("op", new RawValue(OperationJson.toJson(op)));
                    return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE).build();
                  });
        });
  }
}
