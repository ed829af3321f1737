package io.meshorch.charts;

/**
 * A chart archive does not have the SHA-256 it is pinned to: it is not rendered. The message names
 * the archive, the expected and the actual digest.
 */
public final class ChartChecksumException extends RuntimeException {
  private final String archive;
  private final String expected;
  private final String actual;

  ChartChecksumException(String archive, String expected, String actual) {
    super(
        "chart archive "
            + archive
            + " does not have the expected SHA-256: expected "
            + expected
            + ", actual "
            + actual
            + " (replace the archive, or pin the digest of the one you mean to use)");
    this.archive = archive;
    this.expected = expected;
    this.actual = actual;
  }

  /** The archive's file name or path. */
  public String archive() {
    return archive;
  }

  /** The digest the archive is pinned to. */
  public String expected() {
    return expected;
  }

  /** The digest of the bytes found. */
  public String actual() {
    return actual;
  }
}
