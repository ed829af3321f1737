package io.meshorch.local;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Collection;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.loader.openssh.OpenSSHKeyPairResourceParser;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;

/**
 * The SSH key pair of local mode's Nova keypair: generated once into the data folder (private key
 * 0600, OpenSSH format), reused on later runs.
 */
record SshKeys(Path privateKey, String publicKeyLine) {

  static SshKeys ensure(Path dir) throws IOException {
    Path privateKey = dir.resolve("id_ecdsa");
    try {
      KeyPair pair;
      if (Files.exists(privateKey)) {
        Collection<KeyPair> loaded =
            OpenSSHKeyPairResourceParser.INSTANCE.loadKeyPairs(
                null,
                NamedResource.ofName(privateKey.toString()),
                null,
                Files.readAllLines(privateKey));
        pair = loaded.iterator().next();
      } else {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        pair = generator.generateKeyPair();
        Files.createFile(
            privateKey,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(privateKey)) {
          OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "meshctl-local", null, out);
        }
      }
      return new SshKeys(privateKey, publicLine(pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot create the local SSH key in " + dir, e);
    }
  }

  private static String publicLine(PublicKey key) {
    return PublicKeyEntry.toString(key) + " meshctl-local";
  }
}
