package io.meshorch.cni.adapter.pki;

import io.meshorch.cni.domain.MeshCa;
import io.meshorch.cni.port.MeshCaPort;
import io.meshorch.kit.failure.TerminalFailure;
import io.meshorch.kit.failure.TransientFailure;
import io.meshorch.kit.port.SecretStore;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh CA kept in the secret store under {@code meshes/<meshId>/cilium-ca} (certificate PEM
 * then key PEM). Generated on first use and stored with {@link SecretStore#putIfAbsent}, so that
 * handlers of several clusters of one mesh racing here all end up with the CA stored first.
 */
public final class StoredMeshCa implements MeshCaPort {
  private static final Logger log = LoggerFactory.getLogger(StoredMeshCa.class);

  private final SecretStore secrets;
  private final BouncyCastleCaGenerator generator;

  public StoredMeshCa(SecretStore secrets, BouncyCastleCaGenerator generator) {
    this.secrets = secrets;
    this.generator = generator;
  }

  @Override
  public MeshCa ensure(String meshId) {
    String ref = MeshCa.secretRef(meshId);
    try {
      Optional<byte[]> stored = secrets.get(ref);
      return decode(ref, stored.isPresent() ? stored.get() : generate(meshId, ref));
    } catch (UncheckedIOException e) {
      throw new TransientFailure(
          "SECRET_STORE_UNAVAILABLE", "cannot read or write secret " + ref, e);
    }
  }

  private byte[] generate(String meshId, String ref) {
    byte[] fresh = generator.generate(meshId).encode();
    byte[] stored = secrets.putIfAbsent(ref, fresh);
    if (Arrays.equals(fresh, stored)) {
      log.info("generated the CA of mesh {} and stored it as {}", meshId, ref);
    } else {
      log.info("the CA of mesh {} was stored concurrently; using that one", meshId);
    }
    return stored;
  }

  private static MeshCa decode(String ref, byte[] value) {
    try {
      return MeshCa.decode(value);
    } catch (IllegalArgumentException e) {
      throw new TerminalFailure("MESH_CA_INVALID", "secret " + ref + ": " + e.getMessage());
    }
  }
}
