package io.meshorch.meshctl.local;

/**
 * Local mode cannot start in a data folder that another local mode holds ({@link DataDirLock}); the
 * message names the holder.
 */
public final class DataDirInUseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** With {@code message} naming the holder. */
  public DataDirInUseException(String message) {
    super(message);
  }
}
