package io.meshorch.lb.application;

import io.meshorch.contracts.EventEnvelope;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.EventPublisherPort;
import io.meshorch.lb.domain.AddressPoolSpec;
import io.meshorch.lb.domain.MeshEndpointService;
import io.meshorch.lb.domain.MetalLbRelease;
import io.meshorch.lb.port.MeshEndpointPort;
import io.meshorch.lb.port.MetalLbPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/** Stateful in-memory stand-ins for lb-service's ports and the kit's publisher. */
final class Fakes {
  private Fakes() {}

  /** A cluster's MetalLB: remembers what is installed and the stored pool. */
  static final class FakeMetalLb implements MetalLbPort {
    final List<MetalLbRelease> installs = new ArrayList<>();
    final Map<String, MetalLbRelease> installed = new HashMap<>();
    final Map<String, List<String>> pools = new HashMap<>();

    /** What MetalLB keeps of a written pool (identity unless a test makes it drop it). */
    UnaryOperator<List<String>> admission = UnaryOperator.identity();

    @Override
    public synchronized void install(String kubeconfigRef, MetalLbRelease release) {
      installs.add(release);
      installed.put(kubeconfigRef, release);
    }

    @Override
    public synchronized List<String> configurePool(
        String kubeconfigRef, AddressPoolSpec pool, Duration controllerTimeout) {
      if (!installed.containsKey(kubeconfigRef)) {
        throw new TransientFailure("METALLB_CONTROLLER_NOT_READY", "no controller");
      }
      pools.put(kubeconfigRef, admission.apply(pool.addresses()));
      return pools.get(kubeconfigRef);
    }
  }

  /** A cluster's mesh endpoint Service; plays MetalLB by assigning {@link #nextIp} on request. */
  static final class FakeMeshEndpoint implements MeshEndpointPort {
    final Map<String, MeshEndpointService> services = new HashMap<>();
    final Map<String, String> ips = new HashMap<>();
    int ensureCalls;

    /** The IP "MetalLB" assigns after {@link #pollsBeforeIp} reads, or null for never. */
    String nextIp = "192.168.51.10";

    int pollsBeforeIp = 2;
    private int polls;

    @Override
    public synchronized void ensureService(String kubeconfigRef, MeshEndpointService service) {
      ensureCalls++;
      services.put(kubeconfigRef, service);
    }

    @Override
    public synchronized Optional<String> assignedIp(String kubeconfigRef) {
      if (services.containsKey(kubeconfigRef)
          && !ips.containsKey(kubeconfigRef)
          && nextIp != null
          && ++polls > pollsBeforeIp) {
        ips.put(kubeconfigRef, nextIp);
      }
      return Optional.ofNullable(ips.get(kubeconfigRef));
    }
  }

  /** Records published events and notes them as handled, as the kit's publisher does. */
  static final class RecordingPublisher implements EventPublisherPort {
    final List<EventEnvelope> published = new CopyOnWriteArrayList<>();
    final HandledEvents handled;

    RecordingPublisher(HandledEvents handled) {
      this.handled = handled;
    }

    @Override
    public void publish(EventEnvelope event) {
      published.add(event);
      handled.record(event);
    }
  }
}
