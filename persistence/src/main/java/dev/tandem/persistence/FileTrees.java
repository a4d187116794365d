package dev.tandem.persistence;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/** Whole-tree file operations the embedded PostgreSQL needs. */
final class FileTrees {
  /** rwx------: a directory only its owner may enter. */
  static final Set<PosixFilePermission> PRIVATE_DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  /** rw-------: a file only its owner may read. */
  static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

  private FileTrees() {}

  /**
   * Gives {@code path} the mode {@code permissions} and, if PostgreSQL runs as another user, to
   * that user; an existing file or directory made by an older version is tightened the same way.
   */
  static void restrict(
      Path path, Set<PosixFilePermission> permissions, Optional<Users.Account> owner)
      throws IOException {
    if (owner.isPresent()) {
      changeOwner(path, owner.get());
    }
    Files.setPosixFilePermissions(path, permissions);
  }

  /** Deletes {@code root} and everything under it, never following symbolic links. */
  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException failure)
              throws IOException {
            if (failure != null) {
              throw failure;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Gives {@code root} and everything under it to {@code user} (lchown, links not followed). */
  static void changeOwnerRecursively(Path root, Users.Account user) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes)
              throws IOException {
            changeOwner(dir, user);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes)
              throws IOException {
            changeOwner(file, user);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  static void changeOwner(Path path, Users.Account user) throws IOException {
    Files.setAttribute(path, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
  }
}
