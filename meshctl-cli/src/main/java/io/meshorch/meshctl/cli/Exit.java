package io.meshorch.meshctl.cli;

/** meshctl's exit codes. */
public final class Exit {
  /** The mesh is ready (or the file is valid). */
  public static final int READY = 0;

  /** The mesh failed, or did not finish in time. */
  public static final int FAILED = 1;

  /** The request was rejected: the file or the mesh rules. */
  public static final int REJECTED = 2;

  private Exit() {}
}
