package io.colony.runtime.tls;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A cluster's certificate authority and its node certificates, as PEM files in the layout
 * {@link ArteryTls} reads. Every node certificate names the cluster (a DNS subject alternative
 * name): Pekko's engine accepts a peer only when it shares a subject name and a CA with this node.
 */
public final class ClusterCertificates {

  public static final String CA_KEY_FILE = "ca.key";
  private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A private key with its certificate. */
  public record Issued(PrivateKey key, X509Certificate certificate) {}

  private ClusterCertificates() {}

  /** A new self-signed root CA for the cluster {@code clusterName}. */
  public static Issued newAuthority(String clusterName, Duration validity) {
    requireDnsName(clusterName);
    KeyPair keys = newRsaKeys();
    X500Name name = new X500Name("CN=" + clusterName + " CA,O=Colony");
    X509v3CertificateBuilder builder = builder(name, name, keys.getPublic(), validity);
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the CA certificate", e);
    }
    return new Issued(keys.getPrivate(), sign(builder, keys.getPrivate()));
  }

  /**
   * A new key and a certificate for one node, signed by {@code authority}, for client and server
   * use, naming the cluster and the node's {@code hosts} (DNS names or IP addresses).
   */
  public static Issued newNodeCertificate(Issued authority, String clusterName, String nodeName,
      List<String> hosts, Duration validity) {
    requireDnsName(clusterName);
    KeyPair keys = newRsaKeys();
    X500Name issuer = X500Name.getInstance(authority.certificate().getSubjectX500Principal().getEncoded());
    X509v3CertificateBuilder builder =
        builder(issuer, new X500Name("CN=" + nodeName + ",O=Colony"), keys.getPublic(), validity);
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, clusterName));
    for (String host : hosts) {
      names.add(isIpAddress(host) ? new GeneralName(GeneralName.iPAddress, host) : new GeneralName(GeneralName.dNSName,
          requireDnsName(host)));
    }
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)))
          .addExtension(Extension.authorityKeyIdentifier, false,
              utils.createAuthorityKeyIdentifier(authority.certificate()))
          .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the node certificate", e);
    }
    return new Issued(keys.getPrivate(), sign(builder, authority.key()));
  }

  /**
   * Writes a node's folder: {@link ArteryTls#KEY_FILE} (mode 0600), {@link ArteryTls#CERT_FILE}
   * and {@link ArteryTls#CA_FILE}. Each file is replaced atomically, so a running node that
   * re-reads them (a rotation) sees either the old or the new file, never half of one.
   */
  public static void writeNode(Path dir, Issued node, X509Certificate authority) throws IOException {
    Files.createDirectories(dir);
    writeAtomically(dir.resolve(ArteryTls.CA_FILE), pem("CERTIFICATE", encoded(authority)), false);
    writeAtomically(dir.resolve(ArteryTls.CERT_FILE), pem("CERTIFICATE", encoded(node.certificate())), false);
    writeAtomically(dir.resolve(ArteryTls.KEY_FILE), pem("PRIVATE KEY", node.key().getEncoded()), true);
  }

  /** Writes the CA's certificate and key ({@link #CA_KEY_FILE}, mode 0600) into {@code dir}. */
  public static void writeAuthority(Path dir, Issued authority) throws IOException {
    Files.createDirectories(dir);
    writeAtomically(dir.resolve(ArteryTls.CA_FILE), pem("CERTIFICATE", encoded(authority.certificate())), false);
    writeAtomically(dir.resolve(CA_KEY_FILE), pem("PRIVATE KEY", authority.key().getEncoded()), true);
  }

  /** Reads a CA that {@link #writeAuthority} wrote. */
  public static Issued readAuthority(Path dir) throws IOException {
    try {
      byte[] keyDer = fromPem(Files.readString(dir.resolve(CA_KEY_FILE)), "PRIVATE KEY");
      PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(keyDer));
      return new Issued(key, readCertificate(dir.resolve(ArteryTls.CA_FILE)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("cannot read the CA in " + dir + ": " + e.getMessage(), e);
    }
  }

  public static X509Certificate readCertificate(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the certificate " + file + ": " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
    Instant now = Instant.now();
    // Back-dated a little: a peer whose clock is slightly behind must not see a future certificate.
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the certificate", e);
    }
  }

  private static KeyPair newRsaKeys() {
    try {
      // RSA: the only algorithm Pekko's PEM reader takes for the node key.
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA is not available", e);
    }
  }

  private static String requireDnsName(String name) {
    if (!DNS_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a DNS name (letters, digits, '-' and '.')");
    }
    return name;
  }

  private static boolean isIpAddress(String host) {
    if (!host.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
      return false;
    }
    try {
      InetAddress.getByName(host); // a literal: no lookup happens
      return true;
    } catch (IOException e) {
      throw new IllegalArgumentException("'" + host + "' is not an IP address", e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static byte[] fromPem(String text, String type) {
    int begin = text.indexOf("-----BEGIN " + type + "-----");
    int end = text.indexOf("-----END " + type + "-----");
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("no " + type + " in PEM form");
    }
    return Base64.getMimeDecoder().decode(text.substring(begin + type.length() + 16, end));
  }

  private static void writeAtomically(Path file, String content, boolean secret) throws IOException {
    Path temp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
    try {
      if (secret) {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
      } else {
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
      }
      Files.writeString(temp, content, StandardCharsets.US_ASCII);
      try {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
