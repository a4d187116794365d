package dev.tandem.sequencer.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.sequencer.Committed;
import dev.tandem.sequencer.Ids;
import dev.tandem.sequencer.Json;
import dev.tandem.sequencer.PresenceUpdate;
import dev.tandem.sequencer.Sequencers;
import dev.tandem.sequencer.Subscriber;
import dev.tandem.sequencer.TandemConfig;
import dev.tandem.sequencer.TandemException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.glassfish.grizzly.WriteHandler;
import org.glassfish.grizzly.asyncqueue.TaskQueue;
import org.glassfish.grizzly.http.server.Request;
import org.glassfish.grizzly.nio.NIOConnection;

/**
 * {@code GET /api/docs/{id}/events}: a read-only live feed of a document as Server-Sent Events.
 * Without {@code Last-Event-ID} it starts with {@code event: snapshot} ({@code {doc, rev, text}});
 * then every committed op as {@code event: op} ({@code {doc, rev, op, client, seq, user}}). Every
 * event's {@code id} is its revision, so a reconnect with {@code Last-Event-ID: r} receives exactly
 * the ops after r. A stream with more than four messages' worth ({@code 4 × maxMessageBytes})
 * waiting for the network is closed; the client reconnects with its last id and catches up.
 */
@Path("docs/{id}/events")
public final class EventsResource {
  private final Sequencers sequencers;
  private final Access access;
  private final TandemConfig config;

  EventsResource(Sequencers sequencers, Access access, TandemConfig config) {
    this.sequencers = sequencers;
    this.access = access;
    this.config = config;
  }

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void events(
      @PathParam("id") String id,
      @HeaderParam("Last-Event-ID") String lastEventId,
      @QueryParam("access_token") String token,
      @Context HttpHeaders headers,
      @Context SseEventSink sink,
      @Context Sse sse,
      @Context Request request)
      throws InterruptedException {
    String docId = Ids.checkDocumentId(id);
    access.read(headers, token, docId);
    OptionalLong from =
        lastEventId == null || lastEventId.isBlank()
            ? OptionalLong.empty()
            : OptionalLong.of(DocumentResource.parseLong("Last-Event-ID", lastEventId.trim()));
    checkRange(docId, from);
    Stream stream = new Stream(docId, sink, sse, request, backlogLimit());
    stream.removeOnShutdown = sequencers.onShutdown(stream::end);
    sequencers.open(stream, docId, from, false);
  }

  /** Bytes a stream may have waiting for the network before it is ended as too slow. */
  private int backlogLimit() {
    return (int) Math.min(Integer.MAX_VALUE, 4L * config.maxMessageBytes());
  }

  /**
   * Answers 404 (no such document) or 400 ({@code Last-Event-ID} past the head) before the stream
   * starts, rather than a stream that ends at once.
   */
  private void checkRange(String docId, OptionalLong from) throws InterruptedException {
    try {
      long head = sequencers.text(docId, OptionalLong.empty()).get(30, TimeUnit.SECONDS).revision();
      if (from.isPresent() && (from.getAsLong() < 0 || from.getAsLong() > head)) {
        throw new TandemException(
            dev.tandem.sequencer.ErrorCode.REV_OUT_OF_RANGE,
            "Last-Event-ID " + from.getAsLong() + " (expected: 0 to the head, " + head + ")");
      }
    } catch (ExecutionException e) {
      Throwable cause = ErrorMapper.unwrap(e);
      throw cause instanceof RuntimeException
          ? (RuntimeException) cause
          : new IllegalStateException(cause);
    } catch (TimeoutException e) {
      throw new TandemException(
          dev.tandem.sequencer.ErrorCode.UNAVAILABLE, "the document did not load in time");
    }
  }

  /**
   * One SSE connection following one document. Jersey writes an event into Grizzly's write queue of
   * the connection at once (its send never waits for the network), so the backlog is measured
   * there: a stream with more than {@code backlogLimit} bytes waiting for a slow or stalled client
   * is ended (it reconnects with its last id and catches up), and a catch-up waits for the queue to
   * drain to half of it before its next part.
   */
  private final class Stream implements Subscriber {
    private final String docId;
    private final SseEventSink sink;
    private final Sse sse;
    private final TaskQueue<?> writeQueue; // null if the connection is not Grizzly's NIO one
    private final int backlogLimit;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Runnable removeOnShutdown = () -> {};

    Stream(String docId, SseEventSink sink, Sse sse, Request request, int backlogLimit) {
      this.docId = docId;
      this.sink = sink;
      this.sse = sse;
      this.writeQueue =
          request != null && request.getContext().getConnection() instanceof NIOConnection nio
              ? nio.getAsyncWriteQueue()
              : null;
      this.backlogLimit = backlogLimit;
    }

    @Override
    public void opened(String docId, long revision, String text) {
      ObjectNode data = Json.object();
      data.put("doc", docId);
      data.put("rev", revision);
      data.put("text", text);
      send("snapshot", revision, data);
    }

    @Override
    public CompletionStage<Void> missed(List<Committed> ops) {
      for (Committed committed : ops) {
        op(committed);
      }
      CompletableFuture<Void> room = new CompletableFuture<>();
      if (writeQueue == null || ended.get()) {
        room.complete(null);
      } else {
        writeQueue.notifyWritePossible(
            new WriteHandler() {
              @Override
              public void onWritePossible() {
                room.complete(null);
              }

              @Override
              public void onError(Throwable failure) {
                room.complete(null); // the stream ends itself on its next send
              }
            },
            backlogLimit / 2);
      }
      return room;
    }

    @Override
    public void caughtUp(String docId, long revision, List<Committed> missed) {
      for (Committed committed : missed) {
        op(committed);
      }
    }

    @Override
    public void op(Committed committed) {
      ObjectNode data = Json.object();
      data.put("doc", committed.docId());
      data.put("rev", committed.revision());
      data.putRawValue("op", new RawValue(committed.opJson()));
      data.put("client", committed.clientId());
      data.put("seq", committed.seq());
      data.put("user", committed.userId());
      send("op", committed.revision(), data);
    }

    @Override
    public void presence(PresenceUpdate update) {} // the feed carries the text only

    @Override
    public void closed(String docId) {
      end();
    }

    @Override
    public void failed(String docId, TandemException error) {
      end();
    }

    private void send(String name, long revision, ObjectNode data) {
      if (ended.get() || sink.isClosed()) {
        end();
        return;
      }
      if (writeQueue != null && writeQueue.spaceInBytes() > backlogLimit) {
        end(); // too far behind: the client reconnects with Last-Event-ID and catches up
        return;
      }
      OutboundSseEvent event =
          sse.newEventBuilder()
              .name(name)
              .id(Long.toString(revision))
              .mediaType(MediaType.TEXT_PLAIN_TYPE)
              .data(String.class, Json.write(data))
              .build();
      try {
        sink.send(event)
            .whenComplete(
                (ok, failure) -> {
                  if (failure != null) {
                    end();
                  }
                });
      } catch (IllegalStateException closedMeanwhile) {
        end();
      }
    }

    void end() {
      if (ended.compareAndSet(false, true)) {
        removeOnShutdown.run();
        sequencers.disconnect(this, Set.of(docId));
        sink.close();
      }
    }
  }
}
