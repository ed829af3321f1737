package io.meshorch.sandbox.kube.rke;

/** Runs the stand-in in this JVM (faster than a process) for tests of other packages. */
public final class RkeStandInAccess {
  private RkeStandInAccess() {}

  public static int run(String[] args) {
    return RkeStandIn.run(args, System.out);
  }
}
