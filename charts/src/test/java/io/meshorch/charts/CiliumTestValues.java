package io.meshorch.charts;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Cilium chart values shaped like cni-service's (cluster name and ID, cluster-pool IPAM, tunnel
 * routing, Hubble off, the mesh CA and provided clustermesh-apiserver certificates), for tests and
 * the benchmark. With the CA and certificates given the chart generates nothing, so the same values
 * always render the same text.
 */
final class CiliumTestValues {
  /** A base64 PEM certificate and key, as cni-service passes them (the chart parses the CA). */
  private static final Map<String, Object> PEM_PAIR = pemPair();

  private CiliumTestValues() {}

  /**
   * The values of cluster {@code c<cluster>} (ID {@code 1 + cluster % 255}, pod CIDR {@code
   * 10.<cluster % 250>.0.0/16}): a new map each call.
   */
  static Map<String, Object> cluster(int cluster) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("cluster", Map.of("name", "c" + cluster, "id", 1 + cluster % 255));
    values.put(
        "ipam",
        Map.of(
            "mode",
            "cluster-pool",
            "operator",
            Map.of(
                "clusterPoolIPv4PodCIDRList",
                List.of("10." + (cluster % 250) + ".0.0/16"),
                "clusterPoolIPv4MaskSize",
                24)));
    values.put("routingMode", "tunnel");
    values.put("tunnelProtocol", "vxlan");
    values.put("k8sServiceHost", "127.0.0.1");
    values.put("k8sServicePort", 6443);
    values.put("kubeProxyReplacement", "false");
    values.put("hubble", Map.of("enabled", false));
    values.put("tls", Map.of("ca", PEM_PAIR));
    values.put(
        "clustermesh",
        Map.of(
            "useAPIServer",
            true,
            "apiserver",
            Map.of(
                "service",
                Map.of("type", "LoadBalancer"),
                "tls",
                Map.of(
                    "auto",
                    Map.of("enabled", false),
                    "server",
                    PEM_PAIR,
                    "admin",
                    PEM_PAIR,
                    "remote",
                    PEM_PAIR))));
    return values;
  }

  /**
   * A self-signed EC certificate and its key from the JDK's keytool (the chart parses the CA with
   * {@code buildCustomCert}), base64-encoded PEM as cni-service passes them.
   */
  private static Map<String, Object> pemPair() {
    Path dir = null;
    try {
      dir = Files.createTempDirectory("meshorch-test-ca-");
      Path store = dir.resolve("ca.p12");
      char[] password = "test-only".toCharArray();
      Process keytool =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-alias",
                  "ca",
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=Cilium CA test",
                  "-ext",
                  "bc:c=ca:true",
                  "-validity",
                  "30",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  store.toString(),
                  "-storepass",
                  new String(password))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("keytool.log").toFile())
              .start();
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool failed: " + Files.readString(dir.resolve("keytool.log")));
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keys.load(in, password);
      }
      String certPem = pem("CERTIFICATE", keys.getCertificate("ca").getEncoded());
      String keyPem = pem("PRIVATE KEY", keys.getKey("ca", password).getEncoded());
      Base64.Encoder b64 = Base64.getEncoder();
      return Map.of(
          "cert", b64.encodeToString(certPem.getBytes(StandardCharsets.US_ASCII)),
          "key", b64.encodeToString(keyPem.getBytes(StandardCharsets.US_ASCII)));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make the test CA", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      deleteQuietly(dir);
    }
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover folder under the temporary directory, nothing else
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
