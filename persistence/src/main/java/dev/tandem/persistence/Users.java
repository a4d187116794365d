package dev.tandem.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Who PostgreSQL runs as. PostgreSQL refuses to run as root ("initdb: cannot be run as root"), so
 * when the JVM runs as root (as in containers and on CI machines) the embedded server's processes
 * are started as the unprivileged user {@code nobody} through util-linux's {@code setpriv}, and the
 * cluster directory is given to that user. Otherwise they run as the JVM's own user.
 */
final class Users {
  static final String UNPRIVILEGED = "nobody";
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  /** A local account, as /etc/passwd lists it. */
  record Account(String name, int uid, int gid) {}

  private Users() {}

  static int currentUid() {
    try {
      // /proc/self belongs to the process's effective user.
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new EmbeddedPostgresException("cannot tell which user this process runs as", e);
    }
  }

  /** The account PostgreSQL must run as, or empty to run it as this process's user. */
  static Optional<Account> postgresAccount() {
    if (currentUid() != 0) {
      return Optional.empty();
    }
    if (!Files.isExecutable(SETPRIV)) {
      throw new EmbeddedPostgresException(
          "this process runs as root, which PostgreSQL refuses, and "
              + SETPRIV
              + " (util-linux) is missing to run it as '"
              + UNPRIVILEGED
              + "'; run Tandem as a non-root user or set TANDEM_DATABASE_URL");
    }
    return Optional.of(lookup(UNPRIVILEGED));
  }

  /** {@code command} as it must be started to run as {@code account} (empty: as ourselves). */
  static List<String> runAs(Optional<Account> account, List<String> command) {
    if (account.isEmpty()) {
      return command;
    }
    Account user = account.get();
    var wrapped = new ArrayList<String>();
    wrapped.add(SETPRIV.toString());
    wrapped.add("--reuid=" + user.uid());
    wrapped.add("--regid=" + user.gid());
    wrapped.add("--clear-groups");
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Fails clearly unless {@code account} can enter every directory from the root down to {@code
   * path}: PostgreSQL, running as that user, must reach its data directory.
   */
  static void requireTraversable(Path path, Account account) throws IOException {
    for (Path dir = path.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
      if (!Files.exists(dir)) {
        continue;
      }
      int owner = (Integer) Files.getAttribute(dir, "unix:uid");
      int group = (Integer) Files.getAttribute(dir, "unix:gid");
      int mode = (Integer) Files.getAttribute(dir, "unix:mode");
      int executeBit = owner == account.uid() ? 0100 : group == account.gid() ? 0010 : 0001;
      if ((mode & executeBit) == 0) {
        throw new EmbeddedPostgresException(
            "PostgreSQL runs as user '"
                + account.name()
                + "' because this process runs as root, and that user cannot enter "
                + dir
                + " (mode "
                + Integer.toOctalString(mode & 07777)
                + ") on the way to "
                + path
                + "; choose a data directory every user can reach (TANDEM_DATA_DIR),"
                + " allow it with chmod o+x "
                + dir
                + ", or run Tandem as a non-root user");
      }
    }
  }

  private static Account lookup(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        String[] fields = line.split(":", -1);
        if (fields.length >= 4 && fields[0].equals(name)) {
          return new Account(name, Integer.parseInt(fields[2]), Integer.parseInt(fields[3]));
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new EmbeddedPostgresException("cannot read the account '" + name + "'", e);
    }
    throw new EmbeddedPostgresException(
        "this process runs as root, which PostgreSQL refuses, and there is no user '"
            + name
            + "' to run it as; run Tandem as a non-root user or set TANDEM_DATABASE_URL");
  }
}
