package io.meshorch.cni.application;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumManifest;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.kit.failure.StepFailure;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Stateful in-memory stand-ins for cni-service's ports. */
final class Fakes {
  private Fakes() {}

  /** A PEM-shaped CA whose bodies carry {@code tag}. */
  static MeshCa ca(String tag) {
    String body = Base64.getEncoder().encodeToString(tag.getBytes());
    return new MeshCa(
        "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
  }

  /** One CA per mesh, generated on first use. */
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
   * Clusters by kubeconfig ref, as the real installer sees them: their {@code cilium-ca} Secret,
   * the manifest applied (written only when it changed, as the digest annotation does), a kubelet
   * that makes Cilium ready after {@link #checksBeforeReady} status reads following the apply, read
   * errors to inject, and the rollout watches opened.
   */
  static final class FakeClusters implements CiliumInstallerPort {
    final Map<String, MeshCa> caSecrets = new HashMap<>();
    final Map<String, CiliumManifest> applied = new HashMap<>();

    /**
     * Every write of Cilium's objects, by kubeconfig ref (an unchanged manifest writes nothing).
     */
    final List<String> writes = new ArrayList<>();

    final List<FakeWatch> watches = new ArrayList<>();
    int caSecretsCreated;
    int checksBeforeReady = 2;
    int nodes = 2;

    private final Map<String, Integer> checks = new HashMap<>();
    private Supplier<StepFailure> readFailure;
    private int failingReads;

    /** Makes the next {@code n} status reads throw {@code failure}, then reads work again. */
    void failReads(int n, Supplier<StepFailure> failure) {
      failingReads = n;
      readFailure = failure;
    }

    @Override
    public synchronized CaSecretOutcome ensureCaSecret(String kubeconfigRef, MeshCa ca) {
      MeshCa existing = caSecrets.putIfAbsent(kubeconfigRef, ca);
      if (existing == null) {
        caSecretsCreated++;
        return CaSecretOutcome.CREATED;
      }
      return existing.equals(ca) ? CaSecretOutcome.ALREADY_PRESENT : CaSecretOutcome.DIFFERENT_CA;
    }

    @Override
    public synchronized void apply(String kubeconfigRef, CiliumManifest manifest) {
      if (!manifest.equals(applied.get(kubeconfigRef))) {
        writes.add(kubeconfigRef);
        applied.put(kubeconfigRef, manifest);
      }
    }

    @Override
    public synchronized CiliumRollout rollout(String kubeconfigRef) {
      if (failingReads > 0) {
        failingReads--;
        throw readFailure.get();
      }
      if (!applied.containsKey(kubeconfigRef)) {
        return CiliumRollout.NOTHING;
      }
      int n = checks.merge(kubeconfigRef, 1, Integer::sum);
      return n > checksBeforeReady
          ? new CiliumRollout(nodes, nodes, 1, 1)
          : new CiliumRollout(nodes, 0, 0, 0);
    }

    @Override
    public synchronized AutoCloseable watchRollout(String kubeconfigRef, Runnable onChange) {
      FakeWatch watch = new FakeWatch(kubeconfigRef, onChange);
      watches.add(watch);
      return watch;
    }
  }

  /** A rollout watch: {@link #change()} plays a change of the workloads. */
  static final class FakeWatch implements AutoCloseable {
    final String kubeconfigRef;
    private final Runnable onChange;
    boolean closed;

    FakeWatch(String kubeconfigRef, Runnable onChange) {
      this.kubeconfigRef = kubeconfigRef;
      this.onChange = onChange;
    }

    void change() {
      if (!closed) {
        onChange.run();
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
