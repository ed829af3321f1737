package io.meshorch.kit.secrets;

import io.meshorch.kit.port.SecretStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A secret store in a directory, one file per reference, readable by the owner only (0600 in 0700
 * directories). Works across hosts when the directory is a shared volume (NFS, a Kubernetes
 * ReadWriteMany volume, a docker-compose named volume); writes are atomic renames so a reader on
 * another host never sees half a secret.
 */
public final class FileSecretStore implements SecretStore {
  private static final Pattern REF =
      Pattern.compile("[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*");

  private final Path root;

  public FileSecretStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public void put(String ref, byte[] value) {
    Path target = resolve(ref);
    try {
      Path temp = writeTemp(target, value);
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store secret " + ref, e);
    }
  }

  @Override
  public byte[] putIfAbsent(String ref, byte[] value) {
    Path target = resolve(ref);
    try {
      Path temp = writeTemp(target, value);
      try {
        // A hard link fails if the target exists: an atomic create-if-absent on POSIX file
        // systems, also over NFS, unlike an exists-then-write check.
        Files.createLink(target, temp);
        return value;
      } catch (FileAlreadyExistsException e) {
        return Files.readAllBytes(target);
      } finally {
        Files.deleteIfExists(temp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store secret " + ref, e);
    }
  }

  @Override
  public Optional<byte[]> get(String ref) {
    try {
      return Optional.of(Files.readAllBytes(resolve(ref)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read secret " + ref, e);
    }
  }

  @Override
  public void delete(String ref) {
    try {
      Files.deleteIfExists(resolve(ref));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete secret " + ref, e);
    }
  }

  private Path resolve(String ref) {
    if (ref == null || !REF.matcher(ref).matches() || ref.contains("..")) {
      throw new IllegalArgumentException(
          "secret ref must be lowercase path segments of [a-z0-9._-], found '" + ref + "'");
    }
    return root.resolve(ref);
  }

  private Path writeTemp(Path target, byte[] value) throws IOException {
    createPrivateDirectories(target.getParent());
    Path temp = Files.createTempFile(target.getParent(), ".tmp-", ".secret", ownerOnlyFile());
    Files.write(temp, value, StandardOpenOption.TRUNCATE_EXISTING);
    return temp;
  }

  private void createPrivateDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    createPrivateDirectories(dir.getParent());
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // created concurrently by another handler: fine
    }
  }

  private static java.nio.file.attribute.FileAttribute<?> ownerOnlyFile() {
    return PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  }
}
