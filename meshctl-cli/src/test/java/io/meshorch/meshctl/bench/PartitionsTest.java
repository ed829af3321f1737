package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshorch.contracts.validation.MeshRequestValidator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PartitionsTest {
  @Test
  void agreesWithTheProducersDefaultPartitionerForKeyedRecords() {
    for (int partitions : List.of(1, 3, 7, 12)) {
      for (int i = 0; i < 2_000; i++) {
        String key = "mesh-" + i;
        assertThat(Partitions.of(key, partitions))
            .as("partition of %s among %d", key, partitions)
            .isEqualTo(
                BuiltInPartitioner.partitionForKey(
                    key.getBytes(StandardCharsets.UTF_8), partitions));
      }
    }
  }

  @Test
  void findsValidMeshIdsOnThePartitionOfTheAnchor() {
    List<String> ids = Partitions.sameAs("slow", "if", 2, 3);

    assertThat(ids).hasSize(2).doesNotContain("slow").doesNotHaveDuplicates();
    assertThat(ids).allSatisfy(id -> assertThat(id).startsWith("if"));
    assertThat(ids)
        .allSatisfy(id -> assertThat(Partitions.of(id, 3)).isEqualTo(Partitions.of("slow", 3)));
    for (String id : ids) {
      assertThat(new MeshRequestValidator().validate(id, new MeshPlans().mesh(1, 1)))
          .as("violations of mesh %s", id)
          .isEmpty();
    }
  }

  @Test
  void aSinglePartitionHoldsEveryMesh() {
    assertThat(Partitions.sameAs("slow", "m", 3, 1)).containsExactly("m1", "m2", "m3");
  }
}
