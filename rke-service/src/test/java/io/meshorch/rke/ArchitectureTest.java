package io.meshorch.rke;

import io.meshorch.testkit.ServiceArchitecture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The services' package rules (style.md §2, testkit's {@link ServiceArchitecture}), and: of the two
 * adapters, only the SSH one speaks SSH (the RKE adapter runs a process).
 */
class ArchitectureTest {

  @TestFactory
  Stream<DynamicTest> followsTheServiceLayout() {
    return ServiceArchitecture.of("io.meshorch.rke")
        .and(
            "onlyTheSshAdapterUsesSshj",
            ServiceArchitecture.onlyPackageUses(
                "io.meshorch.rke.adapter.ssh..", ServiceArchitecture.SSHJ))
        .tests();
  }
}
