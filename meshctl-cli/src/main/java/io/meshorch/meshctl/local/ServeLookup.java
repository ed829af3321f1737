package io.meshorch.meshctl.local;

import java.nio.file.Path;

/** What a data folder's {@link ServeFile} says about a running {@code meshctl serve}. */
public sealed interface ServeLookup {
  /** No serve file: no {@code serve} runs for this folder. */
  record Absent() implements ServeLookup {}

  /** A serve file whose process runs and whose broker answers. */
  record Running(ServeFile serve) implements ServeLookup {}

  /**
   * A serve file left behind (its process is gone or its broker does not answer), or one that
   * cannot be read; {@code reason} says which.
   */
  record Stale(Path file, String reason) implements ServeLookup {}
}
