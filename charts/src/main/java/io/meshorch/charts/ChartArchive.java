package io.meshorch.charts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A packaged Helm chart ({@code .tgz}) whose SHA-256 was checked against the digest it is pinned
 * to. An instance exists only for verified bytes: every factory reads the archive, hashes it and
 * throws {@link ChartChecksumException} (naming the archive, the expected and the actual digest)
 * when they differ, so a chart that was replaced, truncated or tampered with is never rendered.
 *
 * <p>The repository keeps the official archives it installs under {@code io/meshorch/charts/} on
 * the classpath, each next to a {@code <archive>.sha256} file in {@code sha256sum} format ({@link
 * #bundled(String)}). A user can point to another archive on disk with its digest ({@link
 * #fromFile(Path, String)}).
 */
public final class ChartArchive {
  /** Classpath folder of the archives kept in the repository. */
  public static final String BUNDLED_FOLDER = "io/meshorch/charts/";

  /** The official Cilium chart the product installs by default. */
  public static final String CILIUM = "cilium-1.18.12.tgz";

  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final String name;
  private final byte[] bytes;
  private final String sha256;

  private ChartArchive(String name, byte[] bytes, String expectedSha256) {
    this.name = name;
    String expected = normalizeDigest(name, expectedSha256);
    String actual = sha256(bytes);
    if (!expected.equals(actual)) {
      throw new ChartChecksumException(name, expected, actual);
    }
    this.bytes = bytes;
    this.sha256 = actual;
  }

  /**
   * The archive {@code fileName} kept in the repository ({@value #BUNDLED_FOLDER} on the
   * classpath), checked against the digest in {@code <fileName>.sha256} next to it.
   *
   * @throws IllegalArgumentException when the archive or its digest file is not on the classpath
   * @throws ChartChecksumException when the archive does not have that digest
   */
  public static ChartArchive bundled(String fileName) {
    String digestLine =
        new String(classpath(fileName + ".sha256"), StandardCharsets.US_ASCII).strip();
    String digest = digestLine.split("\\s+", 2)[0];
    return new ChartArchive(fileName, classpath(fileName), digest);
  }

  /**
   * The archive at {@code file}, which must have SHA-256 {@code expectedSha256} (64 hex digits).
   *
   * @throws UncheckedIOException when the file cannot be read
   * @throws ChartChecksumException when the file does not have that digest
   */
  public static ChartArchive fromFile(Path file, String expectedSha256) {
    try {
      return new ChartArchive(file.toString(), Files.readAllBytes(file), expectedSha256);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read chart archive " + file, e);
    }
  }

  /**
   * {@code bytes} named {@code name} (for messages), which must have SHA-256 {@code
   * expectedSha256}.
   *
   * @throws ChartChecksumException when they do not have that digest
   */
  public static ChartArchive of(String name, byte[] bytes, String expectedSha256) {
    return new ChartArchive(name, bytes.clone(), expectedSha256);
  }

  /** Where the archive came from: its file name or path. */
  public String name() {
    return name;
  }

  /** The verified SHA-256 of the archive, 64 lowercase hex digits. */
  public String sha256() {
    return sha256;
  }

  /** Writes the verified archive to {@code file} (for Helm, which loads charts from disk). */
  void writeTo(Path file) throws IOException {
    Files.write(file, bytes);
  }

  @Override
  public String toString() {
    return "ChartArchive[" + name + ", sha256 " + sha256 + "]";
  }

  private static String normalizeDigest(String name, String digest) {
    Objects.requireNonNull(digest, "expected SHA-256 of " + name);
    String hex = digest.strip().toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(hex).matches()) {
      throw new IllegalArgumentException(
          "the expected SHA-256 of chart archive " + name + " must be 64 hex digits");
    }
    return hex;
  }

  private static byte[] classpath(String fileName) {
    String resource = BUNDLED_FOLDER + fileName;
    try (InputStream in = ChartArchive.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no chart resource " + resource + " on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read chart resource " + resource, e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
