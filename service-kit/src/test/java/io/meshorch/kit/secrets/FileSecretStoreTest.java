package io.meshorch.kit.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretStoreTest {
  @TempDir Path root;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void storesSecretsReadableByTheOwnerOnly() throws Exception {
    FileSecretStore store = new FileSecretStore(root);

    store.put("meshes/demo/clusters/east/kubeconfig", bytes("apiVersion: v1"));

    Path file = root.resolve("meshes/demo/clusters/east/kubeconfig");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
        .isEqualTo("rwx------");
    assertThat(store.get("meshes/demo/clusters/east/kubeconfig")).hasValue(bytes("apiVersion: v1"));
  }

  @Test
  void letsConcurrentWritersAgreeOnOneValue() throws Exception {
    FileSecretStore store = new FileSecretStore(root);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<String>> writers =
          IntStream.range(0, 16)
              .<Callable<String>>mapToObj(
                  i ->
                      () ->
                          new String(
                              store.putIfAbsent("meshes/demo/ca", bytes("ca-" + i)),
                              StandardCharsets.UTF_8))
              .toList();
      Set<String> seen =
          pool.invokeAll(writers).stream()
              .map(FileSecretStoreTest::get)
              .collect(Collectors.toSet());

      assertThat(seen).hasSize(1);
      assertThat(store.get("meshes/demo/ca").map(b -> new String(b, StandardCharsets.UTF_8)))
          .hasValue(seen.iterator().next());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void treatsDeletingAMissingSecretAsSuccess() {
    FileSecretStore store = new FileSecretStore(root);
    store.delete("meshes/none");
    assertThat(store.get("meshes/none")).isEmpty();
  }

  @Test
  void refusesReferencesThatEscapeTheStore() {
    FileSecretStore store = new FileSecretStore(root);
    assertThatThrownBy(() -> store.put("../etc/passwd", bytes("x")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("secret ref");
    assertThatThrownBy(() -> store.get("/abs/path")).isInstanceOf(IllegalArgumentException.class);
  }

  private static String get(Future<String> f) {
    try {
      return f.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
