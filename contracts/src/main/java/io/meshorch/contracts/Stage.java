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

  private Stage() {}
}
