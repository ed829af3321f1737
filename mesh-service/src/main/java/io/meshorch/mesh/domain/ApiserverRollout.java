package io.meshorch.mesh.domain;

/**
 * Where a cluster's {@code kube-system/clustermesh-apiserver} Deployment stands in rolling out its
 * current pod template, judged as {@code kubectl rollout status} judges it.
 *
 * @param generation the Deployment's {@code metadata.generation}
 * @param observedGeneration the generation its controller has seen ({@code status})
 * @param replicas the replicas wanted ({@code spec.replicas}, 1 when not set)
 * @param updated the replicas running the current template
 * @param available the replicas available
 * @param total every replica still running, old template included ({@code status.replicas})
 */
public record ApiserverRollout(
    long generation, long observedGeneration, int replicas, int updated, int available, int total) {

  /**
   * Done: the controller has seen the current template, every replica runs it and is available, and
   * no replica of an older template is left.
   */
  public boolean done() {
    return observedGeneration >= generation
        && updated >= replicas
        && total <= updated
        && available >= updated;
  }

  /** For progress and failures, e.g. {@code 0/1 updated, 1 available}. */
  public String describe() {
    if (observedGeneration < generation) {
      return "new template not yet seen by the deployment controller";
    }
    String old = total > updated ? ", " + (total - updated) + " old" : "";
    return updated + "/" + replicas + " updated, " + available + " available" + old;
  }
}
