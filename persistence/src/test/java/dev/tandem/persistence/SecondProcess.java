package dev.tandem.persistence;

import java.nio.file.Path;

/**
 * Opens the embedded database on the data directory given as the argument, as a second Tandem
 * process would; prints what happened. Run by {@link EmbeddedPostgresTest} in its own JVM.
 */
public final class SecondProcess {
  private SecondProcess() {}

  public static void main(String[] args) {
    try (Database database = Database.open(DatabaseConfig.embedded(Path.of(args[0])))) {
      System.out.println("opened");
    } catch (EmbeddedPostgresException e) {
      System.out.println("refused: " + e.getMessage());
      System.exit(3);
    }
  }
}
