package dev.tandem.sequencer.archive;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.persistence.ArchiveHeader;
import dev.tandem.persistence.ArchiveVisitor;
import dev.tandem.persistence.ArchivedCheckpoint;
import dev.tandem.persistence.ArchivedOp;
import dev.tandem.persistence.PrunedClient;
import dev.tandem.sequencer.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;

/**
 * Writes a document's history in the export format: JSON Lines, one object a line, in the order an
 * {@link ArchiveVisitor} is given them.
 *
 * <pre>
 * {"format":"tandem-history","version":1,"doc":"notes","head":2,"headHash":"…","created":"…","updated":"…"}
 * {"prunedClient":"c0","seq":7,"rev":12,"user":"ada"}
 * {"checkpoint":0,"text":"hi","sha256":"…","chain":"…","time":"…"}
 * {"rev":1,"op":[2," there"],"client":"c1","seq":0,"user":"ada","time":"…","hash":"…"}
 * {"rev":2,"op":[8,"!"],"client":"c2","seq":4,"user":"bob","time":"…","hash":"…"}
 * {"end":2}
 * </pre>
 *
 * The end line holds the number of ops: a file without it was cut short. A pruned document's
 * history starts at a later checkpoint, after a {@code prunedClient} line per client whose ops were
 * pruned (its highest pruned seq, that op's revision and user), so that an import still recognises
 * their resubmits; a file without such lines is one of a document never pruned, as version 1 wrote
 * before it had them.
 */
public final class ArchiveWriter implements ArchiveVisitor {
  static final String FORMAT = "tandem-history";
  static final int VERSION = 1;

  private final Writer out;

  public ArchiveWriter(Writer out) {
    this.out = out;
  }

  @Override
  public void header(ArchiveHeader header) {
    ObjectNode line = Json.object();
    line.put("format", FORMAT);
    line.put("version", VERSION);
    line.put("doc", header.docId());
    line.put("head", header.head());
    line.put("headHash", header.headHash());
    line.put("created", header.createdAt().toString());
    line.put("updated", header.updatedAt().toString());
    write(line);
  }

  @Override
  public void prunedClient(PrunedClient client) {
    ObjectNode line = Json.object();
    line.put("prunedClient", client.clientId());
    line.put("seq", client.seq());
    line.put("rev", client.revision());
    line.put("user", client.userId());
    write(line);
  }

  @Override
  public void checkpoint(ArchivedCheckpoint checkpoint) {
    ObjectNode line = Json.object();
    line.put("checkpoint", checkpoint.revision());
    line.put("text", checkpoint.text());
    line.put("sha256", checkpoint.sha256());
    line.put("chain", checkpoint.chain());
    line.put("time", checkpoint.createdAt().toString());
    write(line);
  }

  @Override
  public void op(ArchivedOp op) {
    ObjectNode line = Json.object();
    line.put("rev", op.revision());
    line.putRawValue("op", new RawValue(op.opJson()));
    line.put("client", op.clientId());
    line.put("seq", op.clientSeq());
    line.put("user", op.userId());
    line.put("time", op.createdAt().toString());
    line.put("hash", op.hash());
    write(line);
  }

  @Override
  public void end(long ops) {
    ObjectNode line = Json.object();
    line.put("end", ops);
    write(line);
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void write(ObjectNode line) {
    try {
      out.write(Json.write(line));
      out.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
