package io.meshorch.cni.adapter.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshorch.cni.domain.MeshCa;
import io.meshorch.kit.failure.StepFailure;
import io.meshorch.kit.secrets.FileSecretStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredMeshCaTest {
  @TempDir Path dir;

  private StoredMeshCa meshCa(FileSecretStore store) {
    return new StoredMeshCa(
        store, new BouncyCastleCaGenerator(Duration.ofDays(1095), Clock.systemUTC()));
  }

  @Test
  void generatesOnceAndStoresUnderTheMeshRef() {
    FileSecretStore store = new FileSecretStore(dir);
    StoredMeshCa meshCa = meshCa(store);

    MeshCa first = meshCa.ensure("demo");
    MeshCa again = meshCa.ensure("demo");

    assertThat(again).isEqualTo(first);
    assertThat(store.get("meshes/demo/cilium-ca"))
        .hasValueSatisfying(v -> assertThat(v).isEqualTo(first.encode()));
    assertThat(meshCa.ensure("other")).isNotEqualTo(first);
  }

  @Test
  void concurrentClustersOfOneMeshAgreeOnOneCa() throws Exception {
    StoredMeshCa meshCa = meshCa(new FileSecretStore(dir));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Callable<MeshCa>> calls =
          IntStream.range(0, 6)
              .<Callable<MeshCa>>mapToObj(
                  i ->
                      () -> {
                        start.await(10, TimeUnit.SECONDS);
                        return meshCa.ensure("race");
                      })
              .toList();
      List<Future<MeshCa>> futures = calls.stream().map(pool::submit).toList();
      start.countDown();
      List<MeshCa> results = futures.stream().map(StoredMeshCaTest::get).toList();

      assertThat(results).hasSize(6).allSatisfy(ca -> assertThat(ca).isEqualTo(results.get(0)));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesAStoredValueThatIsNoCa() {
    FileSecretStore store = new FileSecretStore(dir);
    store.put("meshes/broken/cilium-ca", "not pem at all".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> meshCa(store).ensure("broken"))
        .isInstanceOfSatisfying(
            StepFailure.class,
            f -> {
              assertThat(f.code()).isEqualTo("MESH_CA_INVALID");
              assertThat(f.retryable()).isFalse();
            })
        .hasMessageContaining("meshes/broken/cilium-ca")
        .hasMessageNotContaining("not pem at all");
  }

  private static MeshCa get(Future<MeshCa> future) {
    try {
      return future.get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
