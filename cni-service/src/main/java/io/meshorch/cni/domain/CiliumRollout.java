package io.meshorch.cni.domain;

/**
 * How far Cilium's workloads are in a cluster, as read from their status.
 *
 * @param agentsDesired DaemonSet {@code cilium}'s {@code desiredNumberScheduled} (0 when missing)
 * @param agentsReady DaemonSet {@code cilium}'s {@code numberReady}
 * @param operatorAvailable Deployment {@code cilium-operator}'s {@code availableReplicas}
 * @param apiserverAvailable Deployment {@code clustermesh-apiserver}'s {@code availableReplicas}
 */
public record CiliumRollout(
    int agentsDesired, int agentsReady, int operatorAvailable, int apiserverAvailable) {

  /** Nothing of Cilium runs yet. */
  public static final CiliumRollout NOTHING = new CiliumRollout(0, 0, 0, 0);

  /**
   * True when an agent is ready on every node it is scheduled on (at least one), and the operator
   * and the mesh control plane have an available replica each.
   */
  public boolean ready() {
    return agentsDesired > 0
        && agentsReady == agentsDesired
        && operatorAvailable >= 1
        && apiserverAvailable >= 1;
  }

  /** What is still missing, for humans; empty text when {@link #ready()}. */
  public String missing() {
    StringBuilder text = new StringBuilder();
    if (agentsDesired == 0) {
      text.append("DaemonSet cilium has no agent scheduled");
    } else if (agentsReady != agentsDesired) {
      text.append("DaemonSet cilium has ")
          .append(agentsReady)
          .append('/')
          .append(agentsDesired)
          .append(" agents ready");
    }
    appendUnavailable(text, operatorAvailable, CiliumValues.OPERATOR);
    appendUnavailable(text, apiserverAvailable, CiliumValues.CLUSTERMESH_APISERVER);
    return text.toString();
  }

  private static void appendUnavailable(StringBuilder text, int available, String name) {
    if (available < 1) {
      text.append(text.isEmpty() ? "" : "; ")
          .append("Deployment ")
          .append(name)
          .append(" has no available replica");
    }
  }
}
