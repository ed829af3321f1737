package io.meshorch.restart;

import io.meshorch.contracts.CiliumReady;
import io.meshorch.contracts.ClusterUp;
import io.meshorch.contracts.LbIpAssigned;
import io.meshorch.contracts.MeshEvent;
import io.meshorch.contracts.MeshReady;
import io.meshorch.contracts.Stage;
import io.meshorch.contracts.VmsReady;
import io.meshorch.sandbox.core.SandboxStep;
import io.meshorch.sandbox.core.SideEffect;
import java.util.List;

/**
 * The longest step of one service, and how the suite tells from outside that a mesh is in the
 * middle of it: the service's {@code StepStarted} for the stage is on the bus, the sandbox saw the
 * step's external work begin ({@link #begun}, or the step's own progress message when the sandbox
 * cannot tell), the sandbox's {@link #sandboxStep} has not finished for the mesh's clusters, and no
 * {@link #outcome} is on the bus.
 *
 * @param service the service that runs the step
 * @param stage the stage of its {@code StepStarted}
 * @param what the step in words, for the report
 * @param sandboxStep the sandbox step the service waits for
 * @param object the object of the sandbox's step record that ends the wait, or null for any
 * @param begun a side effect the step causes before it waits, counted per cluster; or null
 * @param waitingMessage the start of the step's progress message that says it now waits; or null
 * @param perCluster whether the step runs per cluster (else once per mesh)
 * @param outcome the event that ends the step
 */
record LongestStep(
    String service,
    String stage,
    String what,
    SandboxStep sandboxStep,
    String object,
    SideEffect begun,
    String waitingMessage,
    boolean perCluster,
    Class<? extends MeshEvent> outcome) {

  /** One per service, in the order a mesh meets them. */
  static final List<LongestStep> ALL =
      List.of(
          new LongestStep(
              "infra-service",
              Stage.VMS,
              "the Heat stack wait",
              SandboxStep.HEAT_STACK,
              null,
              SideEffect.HEAT_STACK_CREATED,
              null,
              true,
              VmsReady.class),
          new LongestStep(
              "rke-service",
              Stage.KUBERNETES,
              "rke up",
              SandboxStep.RKE_UP,
              null,
              SideEffect.RKE_UP_INVOKED,
              null,
              true,
              ClusterUp.class),
          new LongestStep(
              "cni-service",
              Stage.CNI,
              "the Cilium rollout",
              SandboxStep.CILIUM_ROLLOUT,
              "DaemonSet kube-system/cilium",
              SideEffect.CILIUM_INSTALLED,
              null,
              true,
              CiliumReady.class),
          new LongestStep(
              "lb-service",
              Stage.LOAD_BALANCER,
              "the LB IP wait",
              SandboxStep.LB_IP,
              "Service kube-system/clustermesh-apiserver",
              SideEffect.METALLB_INSTALLED,
              "waiting for MetalLB to assign an IP",
              true,
              LbIpAssigned.class),
          new LongestStep(
              "mesh-service",
              Stage.MESH,
              "validation",
              SandboxStep.MESH_CONNECT,
              null,
              SideEffect.MESH_CONNECTION_WRITTEN,
              null,
              false,
              MeshReady.class));
}
