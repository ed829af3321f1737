package io.meshorch.lb.application;

import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.domain.PoolWrite;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Stateful in-memory stand-ins for lb-service's ports: one cluster's MetalLB and mesh endpoint that
 * move on as they are looked at, and remember every effect, so a replay can be checked.
 */
final class Fakes {
  private Fakes() {}

  /** Watches handed out by a fake: which are open, and their callbacks. */
  static final class Watches {
    final List<Runnable> callbacks = new ArrayList<>();
    int opened;
    int open;

    AutoCloseable open(Runnable onChange) {
      opened++;
      open++;
      callbacks.add(onChange);
      boolean[] closed = {false};
      return () -> {
        if (!closed[0]) {
          closed[0] = true;
          open--;
          callbacks.remove(onChange);
        }
      };
    }

    void changed() {
      List.copyOf(callbacks).forEach(Runnable::run);
    }
  }

  /** A cluster's MetalLB: what is installed, when the controller and its webhook serve. */
  static final class FakeMetalLb implements MetalLbPort {
    int installs;
    final Map<String, List<String>> pools = new HashMap<>();
    final Watches controllerWatches = new Watches();

    /** Availability checks after the install that still find the controller unavailable. */
    int checksBeforeAvailable = 2;

    /** Pool writes the API server still answers with "failed calling webhook". */
    int webhookRefusals;

    /** What MetalLB keeps of a written pool (identity unless a test makes it drop it). */
    UnaryOperator<List<String>> admission = UnaryOperator.identity();

    int poolWrites;
    int poolWritesWhileControllerUnavailable;
    private int checks;
    private boolean available;

    @Override
    public void install(String kubeconfigRef) {
      installs++;
    }

    @Override
    public Optional<String> webhookNotReady(String kubeconfigRef) {
      if (installs > 0 && !available && ++checks > checksBeforeAvailable) {
        available = true;
        controllerWatches.changed();
      }
      return available
          ? Optional.empty()
          : Optional.of("Deployment metallb-system/controller has no available replica");
    }

    @Override
    public AutoCloseable watchController(String kubeconfigRef, Runnable onChange) {
      return controllerWatches.open(onChange);
    }

    @Override
    public PoolWrite configurePool(String kubeconfigRef, AddressPoolSpec pool) {
      poolWrites++;
      if (!available) {
        poolWritesWhileControllerUnavailable++;
      }
      if (webhookRefusals > 0) {
        webhookRefusals--;
        return new PoolWrite.NotServedYet(
            "apply IPAddressPool metallb-system/mesh-pool refused: Internal error occurred:"
                + " failed calling webhook \"ipaddresspoolvalidationwebhook.metallb.io\"");
      }
      pools.put(kubeconfigRef, admission.apply(pool.addresses()));
      return new PoolWrite.Stored(pools.get(kubeconfigRef));
    }
  }

  /**
   * A cluster's mesh endpoint Service: Cilium's (present as a LoadBalancer unless a test says
   * otherwise), what lb-service applied on it; plays MetalLB by assigning {@link #nextIp} in time.
   */
  static final class FakeMeshEndpoint implements MeshEndpointPort {
    /** What lb-service applied on the Service, per cluster. */
    final Map<String, MeshEndpointService> services = new HashMap<>();

    final Map<String, String> ips = new HashMap<>();
    final Watches serviceWatches = new Watches();
    int applyCalls;
    int typeChecks;

    /** The {@code spec.type} of the Service Cilium installed, or null while there is none. */
    String type = "LoadBalancer";

    /** The IP "MetalLB" assigns after {@link #checksBeforeIp} reads, or null for never. */
    String nextIp = "192.168.51.10";

    int checksBeforeIp = 2;
    private int checks;

    /** Cilium installs (or retypes) its Service: watches see the change. */
    void ciliumSets(String newType) {
      type = newType;
      serviceWatches.changed();
    }

    @Override
    public Optional<String> serviceType(String kubeconfigRef) {
      typeChecks++;
      return Optional.ofNullable(type);
    }

    @Override
    public void applyOwnedFields(String kubeconfigRef, MeshEndpointService service) {
      if (type == null) {
        throw new IllegalStateException("applied on a Service that does not exist");
      }
      applyCalls++;
      services.put(kubeconfigRef, service);
    }

    @Override
    public Optional<String> assignedIp(String kubeconfigRef) {
      if (services.containsKey(kubeconfigRef)
          && "LoadBalancer".equals(type)
          && !ips.containsKey(kubeconfigRef)
          && nextIp != null
          && ++checks > checksBeforeIp) {
        ips.put(kubeconfigRef, nextIp);
        serviceWatches.changed();
      }
      return Optional.ofNullable(ips.get(kubeconfigRef));
    }

    @Override
    public AutoCloseable watchService(String kubeconfigRef, Runnable onChange) {
      return serviceWatches.open(onChange);
    }
  }
}
