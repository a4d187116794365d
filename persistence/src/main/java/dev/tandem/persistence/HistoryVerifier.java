package dev.tandem.persistence;

import dev.tandem.ot.InvalidOperationException;
import dev.tandem.ot.OperationJson;
import dev.tandem.ot.Rope;
import dev.tandem.ot.TextOperation;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks a document's history as it streams by: replays the ops from the first checkpoint, checks
 * every checkpoint's SHA-256 against its text and against the replayed text, every op's hash
 * against the {@link HistoryChain} and every checkpoint's and the head's chain hash, and that the
 * pruned clients (which the chain does not cover) come once each, before the first checkpoint, at
 * revisions it covers. Throws {@link HistoryMismatchException} naming the first bad revision; a
 * history that reaches {@link #end} without one verifies. Not thread-safe; one document, once.
 */
public final class HistoryVerifier implements ArchiveVisitor {
  private ArchiveHeader header;
  private Rope text; // null until the first checkpoint
  private long at;
  private String chain;
  private long ops;

  /** What a verified history holds. */
  public record Summary(String docId, long head, long ops, long checkpoints, String headHash) {}

  private long checkpoints;

  /** The pruned clients seen, and the highest revision among them. */
  private final Set<String> prunedClients = new HashSet<>();

  private long prunedUpTo;

  @Override
  public void header(ArchiveHeader value) {
    header = value;
  }

  @Override
  public void prunedClient(PrunedClient client) {
    if (text != null) {
      throw bad(client.revision(), "pruned client '" + client.clientId() + "' after a checkpoint");
    }
    if (!prunedClients.add(client.clientId())) {
      throw bad(client.revision(), "pruned client '" + client.clientId() + "' comes twice");
    }
    prunedUpTo = Math.max(prunedUpTo, client.revision());
  }

  @Override
  public void checkpoint(ArchivedCheckpoint checkpoint) {
    long revision = checkpoint.revision();
    if (!TextChecks.sha256(checkpoint.text()).equals(checkpoint.sha256())) {
      throw bad(
          revision, "the checkpoint's text does not match its SHA-256 " + checkpoint.sha256());
    }
    if (text == null) {
      if (prunedUpTo > revision) {
        throw bad(
            prunedUpTo,
            "a pruned client's last op is at revision "
                + prunedUpTo
                + ", past where the history starts, "
                + revision);
      }
      if (revision == 0 && !checkpoint.chain().equals(HistoryChain.genesis(checkpoint.sha256()))) {
        throw bad(0, "the chain hash at revision 0 is not the SHA-256 of the initial text");
      }
      text = Rope.of(checkpoint.text());
      at = revision;
      chain = checkpoint.chain();
    } else {
      if (revision > at) {
        throw bad(at + 1, "there is no op at revision " + (at + 1));
      }
      if (revision < at) {
        throw bad(revision, "the checkpoint at revision " + revision + " is out of order");
      }
      // Its SHA-256 matched its text above: the same text is the same hash, no second one needed.
      if (!text.toString().equals(checkpoint.text())) {
        throw bad(revision, "the checkpoint's text differs from the replayed text");
      }
      if (!checkpoint.chain().equals(chain)) {
        throw bad(revision, "the checkpoint's chain hash differs from the op log's");
      }
    }
    checkpoints++;
  }

  @Override
  public void op(ArchivedOp op) {
    if (text == null) {
      throw bad(op.revision(), "there is no checkpoint before the first op");
    }
    long revision = op.revision();
    if (revision != at + 1) {
      throw bad(
          Math.min(revision, at + 1),
          revision <= at
              ? "op " + revision + " comes after op " + at
              : "there is no op at revision " + (at + 1));
    }
    String expected =
        HistoryChain.next(chain, revision, op.clientId(), op.clientSeq(), op.userId(), op.opJson());
    if (!expected.equals(op.hash())) {
      throw bad(revision, "the op's hash " + op.hash() + " is not the chain's " + expected);
    }
    try {
      TextOperation parsed = OperationJson.parse(op.opJson());
      if (!OperationJson.toJson(parsed).equals(op.opJson())) {
        throw bad(revision, "the op is not in its canonical form " + OperationJson.toJson(parsed));
      }
      text = text.apply(parsed);
    } catch (InvalidOperationException e) {
      throw bad(revision, "the op does not apply: " + e.getMessage());
    }
    at = revision;
    chain = expected;
    ops++;
  }

  @Override
  public void end(long count) {
    if (text == null) {
      throw bad(0, "there is no checkpoint");
    }
    if (at < header.head()) {
      throw bad(at + 1, "there is no op at revision " + (at + 1) + " (head " + header.head() + ")");
    }
    if (at > header.head()) {
      throw bad(header.head() + 1, "there are ops after the head " + header.head());
    }
    if (!chain.equals(header.headHash())) {
      throw bad(at, "the head's hash " + header.headHash() + " is not the chain's " + chain);
    }
    if (count != ops) {
      throw bad(at, "the history says it holds " + count + " ops, not " + ops);
    }
  }

  /** What was verified; call after {@link #end}. */
  public Summary summary() {
    return new Summary(header.docId(), at, ops, checkpoints, chain);
  }

  /** The text at the last revision replayed. */
  public String text() {
    return text.toString();
  }

  private HistoryMismatchException bad(long revision, String why) {
    return new HistoryMismatchException(
        header == null ? "?" : header.docId(), Math.max(0, revision), why);
  }
}
