package io.meshorch.cni.application;

import io.meshorch.cni.domain.CaSecretOutcome;
import io.meshorch.cni.domain.CiliumInstall;
import io.meshorch.cni.domain.CiliumRollout;
import io.meshorch.cni.domain.ClusterMeshCertificates;
import io.meshorch.cni.domain.IssuedCertificate;
import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.CiliumInstallerPort;
import io.meshorch.cni.port.ClusterMeshCertsPort;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.kit.failure.StepFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  /** Certificates per mesh and cluster, issued on first use (tagged with the CA they came from). */
  static final class FakeCerts implements ClusterMeshCertsPort {
    final Map<String, ClusterMeshCertificates> kept = new HashMap<>();
    int issued;

    @Override
    public synchronized ClusterMeshCertificates ensure(String meshId, String cluster, MeshCa ca) {
      return kept.computeIfAbsent(
          meshId + "/" + cluster,
          k -> {
            issued++;
            MeshCa c = ca("cert-of-" + k + "-" + issued);
            IssuedCertificate pair = new IssuedCertificate(c.certificatePem(), c.privateKeyPem());
            return new ClusterMeshCertificates(pair, pair, pair, pair);
          });
    }
  }

  /**
   * Clusters by kubeconfig ref, as the real installer sees them: their {@code cilium-ca} Secret,
   * the install applied (its {@code cilium-ca} Secret with it; an unchanged install writes nothing,
   * as server-side apply of equal objects changes nothing), a kubelet that makes Cilium ready after
   * {@link #checksBeforeReady} status reads following the apply, read errors to inject, and the
   * rollout watches opened.
   */
  static final class FakeClusters implements CiliumInstallerPort {
    final Map<String, MeshCa> caSecrets = new HashMap<>();
    final Map<String, CiliumInstall> applied = new HashMap<>();

    /** Every write of Cilium's objects, by kubeconfig ref (an unchanged install writes nothing). */
    final List<String> writes = new ArrayList<>();

    final List<FakeWatch> watches = new ArrayList<>();

    /** Every call of {@link #apply}, changed or not. */
    int applyCalls;

    int checksBeforeReady = 2;

    /** Every status read that got an answer. */
    int reads;

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
    public synchronized CaSecretOutcome caSecret(String kubeconfigRef, MeshCa ca) {
      MeshCa existing = caSecrets.get(kubeconfigRef);
      if (existing == null) {
        return CaSecretOutcome.ABSENT;
      }
      return existing.equals(ca) ? CaSecretOutcome.SAME_CA : CaSecretOutcome.DIFFERENT_CA;
    }

    @Override
    public synchronized String apply(String kubeconfigRef, CiliumInstall install) {
      applyCalls++;
      if (!install.equals(applied.get(kubeconfigRef))) {
        writes.add(kubeconfigRef);
        applied.put(kubeconfigRef, install);
        caSecrets.put(kubeconfigRef, install.ca());
      }
      return "1.18.12";
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
      reads++;
      int n = checks.merge(kubeconfigRef, 1, Integer::sum);
      return n > checksBeforeReady
          ? new CiliumRollout(nodes, nodes, 1, 1)
          : new CiliumRollout(nodes, 0, 0, 0);
    }

    @Override
    public synchronized CiliumInstallerPort.RolloutWatch watchRollout(
        String kubeconfigRef, Runnable onChange) {
      FakeWatch watch = new FakeWatch(kubeconfigRef, onChange);
      watches.add(watch);
      return watch;
    }
  }

  /**
   * A rollout watch: {@link #change()} plays a change of the workloads, {@link
   * #change(CiliumRollout)} one whose event showed the rollout.
   */
  static final class FakeWatch implements CiliumInstallerPort.RolloutWatch {
    final String kubeconfigRef;
    private final Runnable onChange;
    boolean closed;
    private Optional<CiliumRollout> seen = Optional.empty();

    FakeWatch(String kubeconfigRef, Runnable onChange) {
      this.kubeconfigRef = kubeconfigRef;
      this.onChange = onChange;
    }

    void change() {
      if (!closed) {
        onChange.run();
      }
    }

    void change(CiliumRollout shown) {
      seen = Optional.of(shown);
      change();
    }

    @Override
    public Optional<CiliumRollout> seen(Duration fresh) {
      return closed ? Optional.empty() : seen;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
