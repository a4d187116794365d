package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.ot.TextOperation;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.CheckpointInfo;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Committed;
import dev.tandem.sequencer.document.Sequencers;
import dev.tandem.sequencer.document.SubmitReply;
import dev.tandem.sequencer.error.Errors;
import dev.tandem.sequencer.error.TandemException;
import dev.tandem.sequencer.protocol.Fields;
import dev.tandem.sequencer.protocol.Ids;
import dev.tandem.sequencer.protocol.Json;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The REST API of one document under {@code /api/docs/{id}}: its text (at any revision), creation,
 * history, submit and checkpoints. Thin: parse, ask {@link Access}, hand to {@link Sequencers},
 * reply. Bodies are read as text and parsed with the server's strict JSON rules, so a wrong field
 * type is a {@code bad_request} like on the WebSocket. Nothing waits on a Grizzly thread: every
 * answer is asynchronous.
 */
@Path("docs/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Singleton
public final class DocumentResource {
  private static final int DEFAULT_PAGE = 1000;
  private static final int MAX_PAGE = 10_000;

  private final Sequencers sequencers;
  private final Access access;
  private final TandemConfig config;

  @Inject
  DocumentResource(Sequencers sequencers, Access access, TandemConfig config) {
    this.sequencers = sequencers;
    this.access = access;
    this.config = config;
  }

  @GET
  public void text(
      @PathParam("id") String id,
      @QueryParam("rev") String rev,
      @QueryParam("at") String at,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.read(headers, token, docId);
          if (rev != null && at != null) {
            throw Errors.badRequest("give 'rev' or 'at', not both");
          }
          CompletableFuture<OptionalLong> revision =
              at != null
                  ? HistoryQueries.revisionAt(sequencers, docId, at).thenApply(OptionalLong::of)
                  : CompletableFuture.completedFuture(
                      rev == null ? OptionalLong.empty() : OptionalLong.of(parseLong("rev", rev)));
          return revision
              .thenCompose(r -> sequencers.text(docId, r))
              .thenApply(
                  snapshot -> {
                    ObjectNode body = Json.object();
                    body.put("id", docId);
                    body.put("rev", snapshot.revision());
                    body.put("text", snapshot.text());
                    return ok(body);
                  });
        });
  }

  @PUT
  public void create(
      @PathParam("id") String id,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      String body,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.write(headers, token, docId);
          checkBodySize(body);
          String text =
              body == null || body.isBlank()
                  ? ""
                  : Fields.optionalString(Json.parseObject(body), "text").orElse("");
          return sequencers
              .create(docId, text)
              .thenApply(
                  snapshot -> {
                    ObjectNode created = Json.object();
                    created.put("id", docId);
                    created.put("rev", snapshot.revision());
                    return Response.status(201).entity(Json.write(created)).build();
                  });
        });
  }

  @GET
  @Path("ops")
  public void ops(
      @PathParam("id") String id,
      @QueryParam("from") String from,
      @QueryParam("limit") String limit,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.read(headers, token, docId);
          long first = from == null ? 1 : parseLong("from", from);
          long size = limit == null ? DEFAULT_PAGE : parseLong("limit", limit);
          if (first < 1) {
            throw Errors.badRequest("from : " + first + " (expected: >= 1)");
          }
          if (size < 1 || size > MAX_PAGE) {
            throw Errors.badRequest("limit : " + size + " (expected: 1 to " + MAX_PAGE + ")");
          }
          return sequencers
              .ops(docId, first, (int) size)
              .thenApply(
                  page -> {
                    ObjectNode body = Json.object();
                    ArrayNode ops = body.putArray("ops");
                    for (ArchivedOp stored : page.ops()) {
                      ObjectNode op = ops.addObject();
                      op.put("rev", stored.revision());
                      op.putRawValue("op", new RawValue(stored.opJson()));
                      op.put("client", stored.clientId());
                      op.put("seq", stored.clientSeq());
                      op.put("user", stored.userId());
                      op.put("time", stored.createdAt().toString());
                      op.put("hash", stored.hash());
                    }
                    if (page.next() == null) {
                      body.putNull("next");
                    } else {
                      body.put("next", page.next());
                    }
                    return ok(body);
                  });
        });
  }

  @POST
  @Path("ops")
  public void submit(
      @PathParam("id") String id,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      String body,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          String user = access.write(headers, token, docId).userId(); // whatever the body says
          checkBodySize(body);
          ObjectNode request = Json.parseObject(body == null ? "" : body);
          long rev = Fields.requireNonNegativeLong(request, "rev");
          TextOperation op = Fields.operation(Fields.requireArray(request, "op"));
          // A named client names its seq too: (client, seq) is how a resubmit is recognised, so a
          // default seq would take a second op of that client for the first one.
          Optional<String> client = Fields.optionalString(request, "client");
          String clientId = Ids.checkClientId(client.orElseGet(() -> "rest-" + UUID.randomUUID()));
          OptionalLong seq = Fields.optionalLong(request, "seq");
          if (client.isPresent() && seq.isEmpty()) {
            throw Errors.badRequest(
                "field 'seq' is required with 'client' (a resubmit is recognised by both)");
          }
          if (seq.isPresent() && seq.getAsLong() < 0) {
            throw Errors.badRequest("field 'seq' : " + seq.getAsLong() + " (expected: >= 0)");
          }
          if (client.isPresent()) { // a fresh id is nobody else's
            sequencers.clientOwners().claim(clientId, user); // forbidden
          }
          CompletableFuture<Response> result = new CompletableFuture<>();
          sequencers.submit(
              null,
              new SubmitReply() {
                @Override
                public void acked(Committed committed) {
                  ObjectNode acked = Json.object();
                  acked.put("rev", committed.revision());
                  result.complete(ok(acked));
                }

                @Override
                public void failed(TandemException error) {
                  result.completeExceptionally(error);
                }
              },
              new Sequencers.Submission(docId, rev, op, clientId, seq.orElse(0), user));
          return result;
        });
  }

  @GET
  @Path("checkpoints")
  public void checkpoints(
      @PathParam("id") String id,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.read(headers, token, docId);
          return sequencers
              .checkpoints(docId)
              .thenApply(
                  list -> {
                    ObjectNode body = Json.object();
                    ArrayNode items = body.putArray("checkpoints");
                    for (CheckpointInfo info : list) {
                      items.add(checkpointJson(info));
                    }
                    return ok(body);
                  });
        });
  }

  @POST
  @Path("checkpoints")
  public void createCheckpoint(
      @PathParam("id") String id,
      @QueryParam("rev") String rev,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.admin(headers, token, docId);
          return (rev == null
                  ? sequencers.createCheckpoint(docId)
                  : HistoryQueries.checkpointAt(sequencers, docId, parseLong("rev", rev)))
              .thenApply(
                  info -> Response.status(201).entity(Json.write(checkpointJson(info))).build());
        });
  }

  /**
   * Deletes the document with its whole history (admin). Its sequencer does it, after the commit in
   * flight; its subscribers get {@code not_found} ("was deleted").
   */
  @DELETE
  public void delete(
      @PathParam("id") String id,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Suspended AsyncResponse response) {
    answer(
        response,
        () -> {
          String docId = Ids.checkDocumentId(id);
          access.admin(headers, token, docId);
          return sequencers
              .delete(docId)
              .thenApply(
                  existed -> {
                    if (!existed) {
                      throw Errors.noDocument(docId);
                    }
                    ObjectNode body = Json.object();
                    body.put("id", docId);
                    body.put("deleted", true);
                    return ok(body);
                  });
        });
  }

  private static ObjectNode checkpointJson(CheckpointInfo info) {
    ObjectNode item = Json.object();
    item.put("rev", info.revision());
    item.put("sha256", info.sha256());
    item.put("chain", info.chain());
    item.put("time", info.createdAt().toString());
    return item;
  }

  /** The same limit as a WebSocket message, in UTF-8 bytes (as the body came on the wire). */
  private void checkBodySize(String body) {
    long bytes = body == null ? 0 : Json.utf8Length(body);
    if (bytes > config.maxMessageBytes()) {
      throw Errors.tooLarge("request body of " + bytes + " bytes", config.maxMessageBytes());
    }
  }

  static long parseLong(String name, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw Errors.badRequest(
          "query parameter '" + name + "' is '" + value + "' (expected: an integer)");
    }
  }

  private static Response ok(ObjectNode body) {
    return Response.ok(Json.write(body), MediaType.APPLICATION_JSON_TYPE).build();
  }

  /** Runs {@code work}; its future, or its exception, answers the request. */
  static void answer(
      AsyncResponse response, java.util.function.Supplier<CompletableFuture<Response>> work) {
    CompletableFuture<Response> result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      response.resume(e);
      return;
    }
    result.whenComplete(
        (ok, failure) -> {
          if (failure != null) {
            response.resume(ErrorMapper.unwrap(failure));
          } else {
            response.resume(ok);
          }
        });
  }
}
