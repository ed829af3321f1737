package io.meshorch.meshctl.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.contracts.ClusterSpec;
import io.meshorch.contracts.MeshRequested;
import io.meshorch.contracts.validation.Ipv4Block;
import io.meshorch.contracts.validation.MeshRequestValidator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshPlansTest {
  private final MeshRequestValidator validator = new MeshRequestValidator();

  @Test
  void everyPlannedMeshPassesTheValidatorUpToTheSizesTheBenchUses() {
    MeshPlans plans = new MeshPlans();
    for (int n : List.of(1, 2, 4, 16, 32)) {
      MeshRequested mesh = plans.mesh(n, 2);
      assertThat(validator.validate("n" + n, mesh)).as("violations of %d clusters", n).isEmpty();
      assertThat(mesh.clusters())
          .extracting(ClusterSpec::name)
          .startsWith("c01")
          .doesNotHaveDuplicates();
    }
  }

  @Test
  void noTwoClustersOfOneSandboxShareAnAddressEvenAcrossMeshes() {
    MeshPlans plans = new MeshPlans();
    List<Ipv4Block> blocks = new ArrayList<>();
    for (int mesh = 0; mesh < 250; mesh++) {
      for (ClusterSpec c : plans.mesh(2, 1).clusters()) {
        blocks.add(Ipv4Block.parseCidr(c.podCidr()).orElseThrow());
        blocks.add(Ipv4Block.parseCidr(c.serviceCidr()).orElseThrow());
        blocks.add(Ipv4Block.parsePool(c.lbAddressPool()).orElseThrow());
      }
    }
    blocks.sort(Comparator.comparingLong(Ipv4Block::first));
    for (int i = 1; i < blocks.size(); i++) {
      assertThat(blocks.get(i).first())
          .as("block %s after %s", blocks.get(i), blocks.get(i - 1))
          .isGreaterThan(blocks.get(i - 1).last());
    }
  }

  @Test
  void saysSoWhenTheAddressSpaceRunsOut() {
    MeshPlans plans = new MeshPlans();
    for (int i = 0; i < MeshPlans.MAX_CLUSTERS; i++) {
      plans.cluster("c", 1, 1);
    }
    assertThatThrownBy(() -> plans.cluster("c", 1, 1)).hasMessageContaining("one sandbox");
  }
}
