package io.meshorch.cni.application;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.contracts.EventEnvelope;
import io.meshorch.kit.dedupe.HandledEvents;
import io.meshorch.kit.port.EventPublisherPort;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Stateful in-memory stand-ins for cni-service's ports and the kit's publisher. */
final class Fakes {
  private Fakes() {}

  /** A PEM-shaped CA whose bodies carry {@code tag}. */
  static MeshCa ca(String tag) {
    String body = Base64.getEncoder().encodeToString(tag.getBytes());
    return new MeshCa(
        "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
  }

  /** One CA per mesh, created on first use. */
  static final class FakeMeshCa implements MeshCaPort {
    final Map<String, MeshCa> cas = new HashMap<>();
    int generated;

    @Override
    public synchronized MeshCa ensure(String meshId) {
      return cas.computeIfAbsent(
          meshId,
          m -> {
            generated++;
            return ca("ca-of-" + m + "-" + generated);
          });
    }
  }

  /**
   * Clusters by kubeconfig ref: their {@code cilium-ca} Secret, what was applied, and a kubelet
   * that makes Cilium ready {@link #pollsBeforeReady} status reads after the apply.
   */
  static final class FakeClusters implements CiliumInstallerPort {
    final Map<String, MeshCa> caSecrets = new HashMap<>();
    final Map<String, CiliumManifest> applied = new HashMap<>();
    final List<String> applies = new ArrayList<>();
    int pollsBeforeReady = 2;
    int nodes = 2;
    private final Map<String, Integer> polls = new HashMap<>();

    @Override
    public synchronized CaSecretOutcome ensureCaSecret(String kubeconfigRef, MeshCa ca) {
      MeshCa existing = caSecrets.putIfAbsent(kubeconfigRef, ca);
      if (existing == null) {
        return CaSecretOutcome.CREATED;
      }
      return existing.equals(ca) ? CaSecretOutcome.ALREADY_PRESENT : CaSecretOutcome.DIFFERENT_CA;
    }

    @Override
    public synchronized void apply(String kubeconfigRef, CiliumManifest manifest) {
      applies.add(kubeconfigRef);
      applied.put(kubeconfigRef, manifest);
    }

    @Override
    public synchronized CiliumRollout rollout(String kubeconfigRef) {
      if (!applied.containsKey(kubeconfigRef)) {
        return CiliumRollout.NOTHING;
      }
      int n = polls.merge(kubeconfigRef, 1, Integer::sum);
      return n > pollsBeforeReady
          ? new CiliumRollout(nodes, nodes, 1, 1)
          : new CiliumRollout(nodes, 0, 0, 0);
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
