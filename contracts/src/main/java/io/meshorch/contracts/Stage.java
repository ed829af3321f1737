package io.meshorch.contracts;

/** Names of the steps a mesh goes through, as they appear in progress and failure events. */
public final class Stage {
  public static final String VALIDATE = "validate";
  public static final String VMS = "vms";
  public static final String KUBERNETES = "kubernetes";
  public static final String CNI = "cni";
  public static final String LOAD_BALANCER = "loadbalancer";
  public static final String PORTS = "ports";
  public static final String MESH = "mesh";

  /**
   * Deleting a mesh ({@link MeshDeleteRequested}): the stage of a {@link ClusterFailed} or {@link
   * MeshFailed} when a deletion gives up (e.g. Heat's DELETE_FAILED), and of the delete steps'
   * {@code StepStarted} and progress.
   */
  public static final String DELETE = "delete";

  private Stage() {}
}
