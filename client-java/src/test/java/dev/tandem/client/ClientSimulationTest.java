package dev.tandem.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.client.ClientState.OpId;
import dev.tandem.ot.TextOperation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Several {@link DocumentSession}s against a simulated sequencer, under seeded random interleavings
 * of local edits, deliveries, lost connections, retryable refusals, presence, and thefts (another
 * socket commits an op under a client's id and a seq it uses or is about to use; the server then
 * answers the client's own op with seq_reused, and the client sends it again under a fresh id).
 * Messages travel in order per direction, as on one WebSocket; a lost connection loses whatever was
 * on the way. At the end every client has the server's text, no (client, seq) reached the server
 * twice after it was committed, every committed op was acknowledged exactly once, and every remote
 * cursor stands before the character it stood before when it was published.
 */
class ClientSimulationTest {

  static LongStream seeds() {
    return LongStream.rangeClosed(1, 60);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void clientsConvergeWithTheServer(long seed) {
    Random random = new Random(seed);
    RandomEdits edits = new RandomEdits(random);
    Server server = new Server(edits.fresh(random.nextInt(10)));
    List<SimClient> clients = new ArrayList<>();
    for (int i = 0, n = 2 + random.nextInt(4); i < n; i++) {
      clients.add(new SimClient("c" + i, server, seed));
    }
    for (SimClient client : clients) {
      client.session.initialize(0, server.text);
      client.session.goOnline();
    }
    String where = "seed " + seed;

    for (int step = 0; step < 600; step++) {
      SimClient client = clients.get(random.nextInt(clients.size()));
      int action = random.nextInt(100);
      if (action < 25) {
        client.session.applyClient(edits.operation(client.session.text()));
      } else if (action < 50) {
        server.receiveOne(client, random);
      } else if (action < 80) {
        client.deliverOne(where);
      } else if (action < 82) {
        client.retryOne();
      } else if (action < 84) {
        server.steal(client, edits);
      } else if (action < 92) {
        String text = client.session.text();
        int position = random.nextInt(text.codePointCount(0, text.length()) + 1);
        client.session.setOwnSelection(List.of(SelectionRange.caret(position)), Map.of());
      } else if (action < 96) {
        if (client.connected) {
          server.disconnect(client);
        }
      } else if (!client.connected) {
        server.reconnect(client);
      }
    }

    // quiesce: everyone back online, every message delivered, every retry made
    clients.stream().filter(c -> !c.connected).forEach(server::reconnect);
    boolean busy = true;
    while (busy) {
      busy = false;
      for (SimClient client : clients) {
        busy |= server.receiveOne(client, random);
        busy |= client.deliverOne(where);
        busy |= client.retryOne();
      }
    }

    assertEquals(0, server.duplicateSubmits, where + ": a committed op was resubmitted");
    Set<String> pairs = new HashSet<>();
    server.log.forEach(c -> assertTrue(pairs.add(c.clientId() + "/" + c.seq()), where + ": " + c));
    for (SimClient client : clients) {
      assertTrue(client.session.isSynchronized(), where + ": " + client.id + " not synchronized");
      assertEquals(server.text, client.session.text(), where + ": text of " + client.id);
      assertEquals(server.log.size(), client.session.revision(), where + ": rev of " + client.id);
      long committed =
          server.log.stream()
              .filter(c -> client.ids.contains(c.clientId()))
              .filter(c -> !server.stolen.contains(c.revision()))
              .count();
      assertEquals(committed, client.acks, where + ": acks of " + client.id);
      for (RemotePresence presence : client.session.presences().values()) {
        client.checkCursor(presence, where + ", at the end");
      }
    }
  }

  record Committed(long revision, TextOperation op, String clientId, long seq) {}

  record Submit(long baseRevision, TextOperation op, long seq) {}

  record PresenceOut(long revision, List<SelectionRange> selection, int character) {}

  record Opened(List<Committed> missed) {}

  record Ack(long revision, long seq) {}

  record Refused(long seq) {}

  record Reused(long seq) {}

  record PresenceIn(
      String clientId, long revision, List<SelectionRange> selection, int character) {}

  record Left(String clientId) {}

  /** The sequencer: transform against what was committed after the base, dedup by (client, seq). */
  static final class Server {
    static final int CATCH_UP_PAGE = 3;
    String text;
    final List<Committed> log = new ArrayList<>();
    final Map<String, Long> revisionBySeq = new HashMap<>();
    final List<SimClient> connected = new ArrayList<>();

    /** revisions of ops a thief committed under another client's id */
    final Set<Long> stolen = new HashSet<>();

    int duplicateSubmits;

    Server(String text) {
      this.text = text;
    }

    boolean receiveOne(SimClient from, Random random) {
      if (!from.connected || from.toServer.isEmpty()) {
        return false;
      }
      Object message = from.toServer.removeFirst();
      if (message instanceof Submit submit) {
        submit(from, submit, random);
      } else if (message instanceof PresenceOut presence) {
        from.publishedPresence = true;
        for (SimClient other : connected) {
          if (other != from) {
            other.fromServer.add(
                new PresenceIn(
                    from.helloId, presence.revision(), presence.selection(), presence.character()));
          }
        }
      }
      return true;
    }

    private void submit(SimClient from, Submit submit, Random random) {
      Long earlier = revisionBySeq.get(from.helloId + "/" + submit.seq());
      if (earlier != null && !sameOp(earlier, submit)) {
        from.fromServer.add(new Reused(submit.seq()));
        return;
      }
      if (earlier != null) {
        duplicateSubmits++;
        from.fromServer.add(new Ack(earlier, submit.seq()));
        return;
      }
      if (random.nextInt(10) == 0) {
        from.fromServer.add(new Refused(submit.seq())); // "unavailable": retry later, same seq
        return;
      }
      TextOperation op = submit.op();
      for (Committed concurrent : log.subList((int) submit.baseRevision(), log.size())) {
        op = TextOperation.transform(op, concurrent.op()).left(); // the submitted op is LEFT
      }
      commit(op, from.helloId, submit.seq(), from);
    }

    private void commit(TextOperation op, String clientId, long seq, SimClient from) {
      text = op.apply(text);
      Committed committed = new Committed(log.size() + 1, op, clientId, seq);
      log.add(committed);
      revisionBySeq.put(clientId + "/" + seq, committed.revision());
      for (SimClient other : connected) {
        other.fromServer.add(other == from ? new Ack(committed.revision(), seq) : committed);
      }
    }

    /** Whether the submitted op, transformed from its base up to revision - 1, is the stored op. */
    private boolean sameOp(long revision, Submit submit) {
      if (submit.baseRevision() >= revision) {
        return false;
      }
      TextOperation op = submit.op();
      for (Committed concurrent : log.subList((int) submit.baseRevision(), (int) revision - 1)) {
        op = TextOperation.transform(op, concurrent.op()).left();
      }
      return op.equals(log.get((int) revision - 1).op());
    }

    /**
     * Another socket commits an op under {@code victim}'s id and the seq of its op in flight if
     * that is not stored yet, else its next seq.
     */
    void steal(SimClient victim, RandomEdits edits) {
      long seq =
          victim
              .session
              .state()
              .inFlight()
              .map(ClientState.Pending::seq)
              .filter(s -> !revisionBySeq.containsKey(victim.helloId + "/" + s))
              .orElse(victim.nextSeq);
      if (revisionBySeq.containsKey(victim.helloId + "/" + seq)) {
        return;
      }
      commit(edits.operation(text), victim.helloId, seq, null);
      stolen.add((long) log.size());
    }

    void disconnect(SimClient client) {
      client.connected = false;
      client.toServer.clear();
      client.fromServer.clear();
      client.retries.clear();
      client.session.goOffline();
      connected.remove(client);
      if (client.publishedPresence) {
        client.publishedPresence = false;
        connected.forEach(other -> other.fromServer.add(new Left(client.helloId)));
      }
    }

    /**
     * Like the real server's catch-up: the missed ops beyond one page come first (in {@code ops}
     * messages), taken while the session is still offline; the last page comes in {@code opened}.
     */
    void reconnect(SimClient client) {
      client.connected = true;
      client.helloId = client.id; // one document: nothing else can be in flight under the old id
      connected.add(client);
      List<Committed> missed =
          List.copyOf(log.subList((int) client.session.revision(), log.size()));
      int lastPage = Math.max(0, missed.size() - CATCH_UP_PAGE);
      client.fromServer.addAll(missed.subList(0, lastPage));
      client.fromServer.add(new Opened(missed.subList(lastPage, missed.size())));
    }
  }

  /** One client: a session whose sink writes to the simulated socket. */
  static final class SimClient implements DocumentSession.Sink {
    final String name;

    /** the id of new ops */
    String id;

    /** the id the connection said in hello */
    String helloId;

    final Set<String> ids = new HashSet<>();
    long nextSeq = 1;
    boolean switchPending;
    final DocumentSession session;
    final Deque<Object> toServer = new ArrayDeque<>();
    final Deque<Object> fromServer = new ArrayDeque<>();
    final Deque<Long> retries = new ArrayDeque<>();
    boolean connected = true;
    boolean publishedPresence;
    long acks;

    final Server server;

    SimClient(String id, Server server, long seed) {
      this.name = id;
      this.id = id;
      this.helloId = id;
      this.server = server;
      ids.add(id);
      this.session = new DocumentSession(() -> new OpId(this.id, nextSeq++), this);
      server.connected.add(this);
    }

    boolean deliverOne(String where) {
      if (!connected || fromServer.isEmpty()) {
        return false;
      }
      Object message = fromServer.removeFirst();
      if (message instanceof Committed op) {
        assertTrue(session.applyServer(op.revision(), op.op(), op.clientId(), op.seq()), where);
      } else if (message instanceof Ack ack) {
        session.acknowledge(ack.revision(), new OpId(helloId, ack.seq()));
      } else if (message instanceof Refused refused) {
        retries.add(refused.seq());
      } else if (message instanceof Reused reused) {
        session.seqReused(new OpId(helloId, reused.seq()));
      } else if (message instanceof PresenceIn presence) {
        session.remotePresence(
            presence.clientId(),
            "user-" + presence.clientId(),
            presence.revision(),
            presence.selection(),
            Map.of("char", presence.character()));
      } else if (message instanceof Left left) {
        session.presenceLeft(left.clientId());
      } else if (message instanceof Opened opened) {
        for (Committed op : opened.missed()) {
          assertTrue(session.applyServer(op.revision(), op.op(), op.clientId(), op.seq()), where);
        }
        session.goOnline();
      }
      if (switchPending) { // a new id: reconnect under it
        switchPending = false;
        server.disconnect(this);
        server.reconnect(this);
      }
      return true;
    }

    boolean retryOne() {
      if (!connected || retries.isEmpty()) {
        return false;
      }
      session.retry(new OpId(helloId, retries.removeFirst()));
      return true;
    }

    /** A remote caret published before character c stands before c while c exists. */
    void checkCursor(RemotePresence presence, String where) {
      int character = (Integer) presence.meta().get("char");
      String text = session.text();
      if (character < 0 || text.indexOf(Character.toString(character)) < 0) {
        return; // published at the end of the text, or the character was deleted
      }
      int position = presence.selection().get(0).head();
      int index = text.offsetByCodePoints(0, position);
      assertEquals(
          Character.toString(character),
          Character.toString(text.codePointAt(index)),
          where + ": cursor of " + presence.clientId() + " seen by " + id + " at " + position);
    }

    @Override
    public void submit(long baseRevision, TextOperation op, OpId opId) {
      if (opId.clientId().equals(helloId)) {
        toServer.add(new Submit(baseRevision, op, opId.seq()));
      }
    }

    @Override
    public void idTaken(OpId taken) {
      if (taken.clientId().equals(id)) {
        id = name + "." + ids.size();
        ids.add(id);
        switchPending = true;
      }
    }

    @Override
    public void publishPresence(
        long revision, List<SelectionRange> selection, Map<String, Object> meta) {
      // published while synchronized: the local text is the server's text at this revision
      String text = session.text();
      int position = selection.get(0).head();
      int character =
          position < text.codePointCount(0, text.length())
              ? text.codePointAt(text.offsetByCodePoints(0, position))
              : -1;
      toServer.add(new PresenceOut(revision, selection, character));
    }

    @Override
    public void changed(TextChange change) {
      assertEquals(session.text(), change.text());
    }

    @Override
    public void acknowledged(long revision, long seq) {
      acks++;
    }

    @Override
    public void presence(RemotePresence presence) {
      checkCursor(presence, "on arrival");
    }

    @Override
    public void presenceLeft(String clientId) {}

    @Override
    public void synchronizedNow() {}
  }
}
