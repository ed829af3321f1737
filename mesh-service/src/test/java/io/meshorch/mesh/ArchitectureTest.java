package io.meshorch.mesh;

import io.meshorch.testkit.ServiceArchitecture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The services' package rules (style.md §2, testkit's {@link ServiceArchitecture}). */
class ArchitectureTest {

  @TestFactory
  Stream<DynamicTest> followsTheServiceLayout() {
    return ServiceArchitecture.of("io.meshorch.mesh").tests();
  }
}
