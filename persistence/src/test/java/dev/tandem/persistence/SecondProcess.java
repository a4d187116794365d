package dev.tandem.persistence;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Another Tandem process, run by {@link EmbeddedPostgresTest} in its own JVM. {@code open DIR}
 * opens the embedded database on DIR and prints what happened (exit 3 if refused). {@code commit
 * DIR DOC} creates document DOC, appends one op, prints "committed" and then waits, to be killed.
 */
public final class SecondProcess {
  private SecondProcess() {}

  public static void main(String[] args) throws IOException {
    Path directory = Path.of(args[1]);
    try (Database database = Database.open(DatabaseConfig.embedded(directory).withPoolSize(1))) {
      if (args[0].equals("commit")) {
        database.opLog().createDocument(args[2], "a");
        database.opLog().append(List.of(Ops.stored(args[2], 1, Ops.append(1, "b"), "c", 1)));
        System.out.println("committed");
        System.out.flush();
        System.in.read(); // until killed
      }
      System.out.println("opened");
    } catch (EmbeddedPostgresException e) {
      System.out.println("refused: " + e.getMessage());
      System.exit(3);
    }
  }
}
