package dev.tandem.sequencer;

import dev.tandem.persistence.Database;
import dev.tandem.persistence.EmbeddedPostgresExtension;
import dev.tandem.sequencer.config.TandemConfig;
import dev.tandem.sequencer.document.Faults;
import java.nio.file.Path;
import java.time.Duration;

/** Starts servers for tests: port 0, the shared embedded PostgreSQL, small timeouts. */
final class Servers {
  private Servers() {}

  static TandemConfig.Builder config() {
    return TandemConfig.defaults().toBuilder()
        .host("127.0.0.1")
        .port(0)
        .staticDir((Path) null)
        .shutdownGrace(Duration.ofSeconds(5));
  }

  static TandemServer start() {
    return start(config().build());
  }

  static TandemServer start(TandemConfig config) {
    return start(config, EmbeddedPostgresExtension.database());
  }

  static TandemServer start(TandemConfig config, Database database) {
    return TandemServer.builder().config(config).database(database).build().start();
  }

  /** A server whose document steps call {@code faults} (a test's hook, see {@link Faults}). */
  static TandemServer start(TandemConfig config, Faults faults) {
    return TandemServer.builder()
        .config(config)
        .database(EmbeddedPostgresExtension.database())
        .faults(faults)
        .build()
        .start();
  }

  static String freshDoc() {
    return EmbeddedPostgresExtension.freshDocId("doc");
  }
}
