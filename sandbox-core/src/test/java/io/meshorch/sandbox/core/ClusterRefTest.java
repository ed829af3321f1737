package io.meshorch.sandbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterRefTest {
  @Test
  void readsMeshAndClusterFromAStackNamedAndTaggedByTheProduct() {
    assertThat(ClusterRef.ofStack("mesh-demo-1-us-west", List.of("mesh:demo-1")))
        .isEqualTo(new ClusterRef("demo-1", "us-west"));
    assertThat(ClusterRef.ofStack("mesh-demo-1-us-west", List.of("mesh:demo-1")).toString())
        .isEqualTo("demo-1/us-west");
  }

  @Test
  void aStackWithoutTheMeshTagIsAClusterOfItsOwnName() {
    assertThat(ClusterRef.ofStack("my-stack", List.of("team:a")))
        .isEqualTo(ClusterRef.named("my-stack"));
    assertThat(ClusterRef.ofStack("other", List.of("mesh:demo")))
        .isEqualTo(ClusterRef.named("other"));
  }

  @Test
  void aKnownMeshIsNotReplaced() {
    assertThat(ClusterRef.named("west").inMesh("m1")).isEqualTo(new ClusterRef("m1", "west"));
    assertThat(new ClusterRef("m1", "west").inMesh("m2")).isEqualTo(new ClusterRef("m1", "west"));
  }
}
