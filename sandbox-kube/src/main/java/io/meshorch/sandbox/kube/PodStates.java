package io.meshorch.sandbox.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The status the kubelet reports for a pod: running and ready, or stopped by a {@link Refusal}
 * ({@code ContainerCreating} for a volume that cannot be set up, {@code
 * CreateContainerConfigError}, {@code CrashLoopBackOff} with the component's log as termination
 * message, as the charts' {@code terminationMessagePolicy: FallbackToLogsOnError} gives it).
 */
final class PodStates {
  /** The refusal a pod shows (absent: running), so that a pass can tell what changed. */
  static final String REFUSAL = "sandbox.meshorch.io/refusal";

  private PodStates() {}

  static PodStatus running(PodSpec spec, String startedAt) {
    List<ContainerStatus> statuses = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      statuses.add(
          new ContainerStatusBuilder()
              .withName(c.getName())
              .withImage(c.getImage())
              .withReady(true)
              .withStarted(true)
              .withRestartCount(0)
              .withNewState()
              .withNewRunning()
              .withStartedAt(startedAt)
              .endRunning()
              .endState()
              .build());
    }
    return new PodStatusBuilder()
        .withPhase("Running")
        .withConditions(
            condition("PodScheduled", "True", null, null),
            condition("Initialized", "True", null, null),
            condition("ContainersReady", "True", null, null),
            condition("Ready", "True", null, null))
        .withContainerStatuses(statuses)
        .build();
  }

  static PodStatus refused(Pod pod, Refusal r) {
    PodSpec spec = pod.getSpec();
    String podRef =
        pod.getMetadata().getName()
            + "_"
            + pod.getMetadata().getNamespace()
            + "("
            + pod.getMetadata().getUid()
            + ")";
    String unready =
        spec.getContainers().stream()
            .map(Container::getName)
            .collect(Collectors.joining(" ", "containers with unready status: [", "]"));
    boolean inInit =
        spec.getInitContainers() != null
            && spec.getInitContainers().stream().anyMatch(c -> c.getName().equals(r.container()));
    List<ContainerStatus> init = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      for (Container c : spec.getInitContainers()) {
        boolean failing = c.getName().equals(r.container());
        init.add(
            failing
                ? waiting(c, r.reason(), r.message())
                : inInit || r.stage() == Refusal.Stage.MOUNT
                    ? waiting(c, "PodInitializing", null)
                    : terminatedOk(c));
      }
    }
    List<ContainerStatus> main = new ArrayList<>();
    for (Container c : spec.getContainers()) {
      if (!c.getName().equals(r.container())) {
        main.add(
            waiting(
                c,
                r.stage() == Refusal.Stage.MOUNT ? "ContainerCreating" : "PodInitializing",
                null));
      } else if (r.stage() == Refusal.Stage.RUN) {
        main.add(
            new ContainerStatusBuilder(
                    waiting(
                        c,
                        "CrashLoopBackOff",
                        "back-off 10s restarting failed container="
                            + c.getName()
                            + " pod="
                            + podRef))
                .withRestartCount(1)
                .withNewLastState()
                .withNewTerminated()
                .withExitCode(1)
                .withReason("Error")
                .withMessage(r.message())
                .endTerminated()
                .endLastState()
                .build());
      } else {
        main.add(waiting(c, r.reason(), r.message()));
      }
    }
    return new PodStatusBuilder()
        .withPhase(r.stage() == Refusal.Stage.RUN ? "Running" : "Pending")
        .withConditions(
            condition("PodScheduled", "True", null, null),
            condition(
                "Initialized",
                inInit || r.stage() == Refusal.Stage.MOUNT ? "False" : "True",
                inInit || r.stage() == Refusal.Stage.MOUNT ? "ContainersNotInitialized" : null,
                null),
            condition("ContainersReady", "False", "ContainersNotReady", unready),
            condition("Ready", "False", "ContainersNotReady", unready))
        .withInitContainerStatuses(init.isEmpty() ? null : init)
        .withContainerStatuses(main)
        .build();
  }

  /** The event the kubelet writes about a pod stopped by {@code r}: reason and message. */
  static Map.Entry<String, String> event(Pod pod, Refusal r) {
    return switch (r.stage()) {
      case MOUNT -> Map.entry("FailedMount", r.message());
      case CONFIG -> Map.entry("Failed", "Error: " + r.message());
      default ->
          Map.entry(
              "BackOff",
              "Back-off restarting failed container "
                  + r.container()
                  + " in pod "
                  + pod.getMetadata().getName()
                  + "_"
                  + pod.getMetadata().getNamespace()
                  + "("
                  + pod.getMetadata().getUid()
                  + ")");
    };
  }

  static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static ContainerStatus waiting(Container c, String reason, String message) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withImage(c.getImage())
        .withReady(false)
        .withStarted(false)
        .withRestartCount(0)
        .withNewState()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .endState()
        .build();
  }

  private static ContainerStatus terminatedOk(Container c) {
    return new ContainerStatusBuilder()
        .withName(c.getName())
        .withImage(c.getImage())
        .withReady(true)
        .withRestartCount(0)
        .withNewState()
        .withNewTerminated()
        .withExitCode(0)
        .withReason("Completed")
        .endTerminated()
        .endState()
        .build();
  }

  private static PodCondition condition(String type, String status, String reason, String msg) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(msg)
        .build();
  }
}
