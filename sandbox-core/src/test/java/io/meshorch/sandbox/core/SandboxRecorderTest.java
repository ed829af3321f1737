package io.meshorch.sandbox.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SandboxRecorderTest {
  private final SandboxRecorder recorder = new SandboxRecorder();

  @Test
  void stepRecordsComeBackOrderedByFinishTimeAndReachListeners() {
    List<StepRecord> heard = new ArrayList<>();
    recorder.steps().subscribe(heard::add);
    ClusterRef west = new ClusterRef("m1", "west");
    Instant t = Instant.parse("2026-01-01T00:00:00Z");

    recorder.finished(SandboxStep.RKE_UP, west, "cluster west", t.plusSeconds(2));
    recorder.finished(SandboxStep.HEAT_STACK, west, "mesh-m1-west", t);

    assertThat(recorder.steps().records())
        .extracting(StepRecord::step)
        .containsExactly(SandboxStep.HEAT_STACK, SandboxStep.RKE_UP);
    assertThat(recorder.steps().records(SandboxStep.RKE_UP, "west")).hasSize(1);
    assertThat(recorder.steps().records(SandboxStep.RKE_UP).get(0).meshId()).isEqualTo("m1");
    assertThat(heard).hasSize(2);
  }

  @Test
  void countsPerClusterAndInTotalFromManyThreads() throws Exception {
    ClusterRef west = new ClusterRef("m1", "west");
    ClusterRef otherWest = new ClusterRef("m2", "west");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int i = 0; i < 1000; i++) {
      ClusterRef c = i % 2 == 0 ? west : otherWest;
      pool.execute(() -> recorder.count(SideEffect.RKE_UP_INVOKED, c));
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    recorder.count(SideEffect.HEAT_STACK_CREATED, west);

    SideEffectCounters counters = recorder.counters();
    assertThat(counters.total(SideEffect.RKE_UP_INVOKED)).isEqualTo(1000);
    assertThat(counters.count(SideEffect.RKE_UP_INVOKED, west)).isEqualTo(500);
    assertThat(counters.count(SideEffect.RKE_UP_INVOKED, "west")).isEqualTo(1000);
    assertThat(counters.totals())
        .containsEntry(SideEffect.HEAT_STACK_CREATED, 1L)
        .containsEntry(SideEffect.CILIUM_INSTALLED, 0L);
    assertThat(counters.byCluster().get("m1/west"))
        .containsEntry(SideEffect.HEAT_STACK_CREATED, 1L)
        .containsEntry(SideEffect.RKE_UP_INVOKED, 500L);
    assertThat(counters.report()).contains("m2/west", "total {heat-stacks-created=1");
  }

  @Test
  void remembersWhichClusterANodeAddressBelongsTo() {
    recorder.registerNode("127.10.0.5", new ClusterRef("m1", "west"));

    assertThat(recorder.clusterOfNode("127.10.0.5")).contains(new ClusterRef("m1", "west"));
    recorder.forgetNode("127.10.0.5");
    assertThat(recorder.clusterOfNode("127.10.0.5")).isEmpty();
  }
}
