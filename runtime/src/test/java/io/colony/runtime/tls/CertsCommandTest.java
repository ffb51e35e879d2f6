package io.colony.runtime.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA and node certificates bin/colony certs makes, read back the way a node reads them. */
class CertsCommandTest {

  @TempDir
  Path dir;

  private static PrivateKey pekkoReadsKey(Path file) throws Exception {
    return DERPrivateKeyLoader.load(PEMDecoder.decode(Files.readString(file)));
  }

  @Test
  void nodeFoldersHoldAKeyAndACertificateTheCaSignedForClientAndServerUse() throws Exception {
    List<String> done = CertsCommand.run(dir.toString(), "--nodes", "2", "--host", "10.0.0.11", "--host", "node.example.com");
    assertEquals(3, done.size(), done.toString());
    X509Certificate ca = ClusterCertificates.readCertificate(dir.resolve("ca.crt"));
    for (String node : List.of("node-1", "node-2")) {
      Path folder = dir.resolve(node);
      X509Certificate cert = ClusterCertificates.readCertificate(folder.resolve(ArteryTls.CERT_FILE));
      cert.verify(ca.getPublicKey());
      cert.checkValidity();
      assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), cert.getExtendedKeyUsage());
      assertEquals(-1, cert.getBasicConstraints(), "a node certificate is no CA");
      assertEquals(List.of(List.of(2, "colony-cluster"), List.of(7, "10.0.0.11"), List.of(2, "node.example.com")),
          cert.getSubjectAlternativeNames().stream().map(List::copyOf).toList());
      assertArrayEquals(Files.readAllBytes(dir.resolve("ca.crt")), Files.readAllBytes(folder.resolve(ArteryTls.CA_FILE)));
      // The key Pekko's PEM reader loads is the certificate's.
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(pekkoReadsKey(folder.resolve(ArteryTls.KEY_FILE)));
      signature.update(new byte[] {1, 2, 3});
      byte[] signed = signature.sign();
      signature.initVerify(cert.getPublicKey());
      signature.update(new byte[] {1, 2, 3});
      assertTrue(signature.verify(signed));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.resolve(ArteryTls.KEY_FILE))));
      assertFalse(Files.exists(folder.resolve(ClusterCertificates.CA_KEY_FILE)), "the CA key never goes to a node");
    }
    assertEquals(ca.getBasicConstraints() >= 0, true, "the CA is a CA");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
  }

  @Test
  void aSecondRunKeepsTheCaAndTheNodesAndAddsOnlyWhatIsMissing() throws Exception {
    CertsCommand.run(dir.toString());
    byte[] ca = Files.readAllBytes(dir.resolve("ca.crt"));
    byte[] node1 = Files.readAllBytes(dir.resolve("node-1").resolve(ArteryTls.CERT_FILE));
    List<String> done = CertsCommand.run(dir.toString(), "--nodes", "2");
    assertEquals(List.of("made " + dir.resolve("node-2") + " (COLONY_TLS_DIR of node 2)"), done);
    assertArrayEquals(ca, Files.readAllBytes(dir.resolve("ca.crt")));
    assertArrayEquals(node1, Files.readAllBytes(dir.resolve("node-1").resolve(ArteryTls.CERT_FILE)));
    ClusterCertificates.readCertificate(dir.resolve("node-2").resolve(ArteryTls.CERT_FILE))
        .verify(ClusterCertificates.readCertificate(dir.resolve("ca.crt")).getPublicKey());
  }

  @Test
  void renewReplacesTheNodesKeysAndCertificatesUnderTheSameCa() throws Exception {
    CertsCommand.run(dir.toString());
    Path node = dir.resolve("node-1");
    X509Certificate before = ClusterCertificates.readCertificate(node.resolve(ArteryTls.CERT_FILE));
    byte[] keyBefore = Files.readAllBytes(node.resolve(ArteryTls.KEY_FILE));
    CertsCommand.run(dir.toString(), "--renew");
    X509Certificate after = ClusterCertificates.readCertificate(node.resolve(ArteryTls.CERT_FILE));
    assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
    assertFalse(java.util.Arrays.equals(keyBefore, Files.readAllBytes(node.resolve(ArteryTls.KEY_FILE))));
    after.verify(ClusterCertificates.readCertificate(dir.resolve("ca.crt")).getPublicKey());
    try (var files = Files.list(node)) {
      assertEquals(3, files.count(), "no temporary file is left behind");
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheReason() {
    assertEquals("DIR is missing", assertThrows(IllegalArgumentException.class, CertsCommand::run).getMessage());
    assertEquals("--nodes must be a positive number, not '0'", assertThrows(IllegalArgumentException.class,
        () -> CertsCommand.run(dir.toString(), "--nodes", "0")).getMessage());
    assertEquals("'bad name!' is not a DNS name (letters, digits, '-' and '.')", assertThrows(
        IllegalArgumentException.class, () -> CertsCommand.run(dir.toString(), "--cluster-name", "bad name!")).getMessage());
    assertEquals("unexpected argument '--force'", assertThrows(IllegalArgumentException.class,
        () -> CertsCommand.run(dir.toString(), "--force")).getMessage());
  }

  @Test
  void theNodeConfigurationUsesTlsTcpWithTheRotatingEngineOnTheFolder() throws Exception {
    CertsCommand.run(dir.toString());
    Config config = ArteryTls.artery(dir.resolve("node-1"), Duration.ofSeconds(2));
    assertEquals("tls-tcp", config.getString("pekko.remote.artery.transport"));
    assertEquals(dir.resolve("node-1").resolve("node.key").toAbsolutePath().toString(),
        config.getString("pekko.remote.artery.ssl.rotating-keys-engine.key-file"));
    assertEquals(Duration.ofSeconds(2), config.getDuration("pekko.remote.artery.ssl.rotating-keys-engine.ssl-context-cache-ttl"));
    String message = assertThrows(IllegalArgumentException.class, () -> ArteryTls.artery(dir, Duration.ofMinutes(1)))
        .getMessage();
    assertTrue(message.contains(dir.toAbsolutePath().resolve("node.key") + " is missing or unreadable"), message);
  }
}
