package io.meshorch.infra;

import io.meshorch.testkit.ServiceArchitecture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The services' package rules (style.md §2, testkit's {@link ServiceArchitecture}). */
class ArchitectureTest {

  @TestFactory
  Stream<DynamicTest> followsTheServiceLayout() {
    return ServiceArchitecture.of("io.meshorch.infra")
        .and(
            "onlyTheOpenstackAdapterUsesOpenstack4j",
            ServiceArchitecture.onlyPackageUses(
                "io.meshorch.infra.adapter.openstack..", "org.openstack4j..", "okhttp3.."))
        .tests();
  }
}
