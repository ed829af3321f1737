package io.meshorch.cni;

import io.meshorch.testkit.ServiceArchitecture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The services' package rules (style.md §2, testkit's {@link ServiceArchitecture}), and: the CA is
 * made in the PKI adapter only, Kubernetes is spoken in the Kubernetes adapter only.
 */
class ArchitectureTest {

  @TestFactory
  Stream<DynamicTest> followsTheServiceLayout() {
    return ServiceArchitecture.of("io.meshorch.cni")
        .and(
            "onlyThePkiAdapterUsesBouncyCastle",
            ServiceArchitecture.onlyPackageUses(
                "io.meshorch.cni.adapter.pki..", "org.bouncycastle.."))
        .and(
            "onlyTheKubernetesAdapterUsesFabric8",
            ServiceArchitecture.onlyPackageUses(
                "io.meshorch.cni.adapter.kubernetes..", "io.fabric8.."))
        .tests();
  }
}
