package io.colony.testkit;

import io.colony.runtime.tls.ArteryTls;
import io.colony.runtime.tls.ClusterCertificates;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509TrustManager;
import org.apache.pekko.pki.pem.DERPrivateKeyLoader;
import org.apache.pekko.pki.pem.PEMDecoder;

/** Which certificate a TLS node's Artery port presents: what a rotation test or benchmark waits for. */
public final class ArteryProbe {

  private ArteryProbe() {}

  /** The serial number of the certificate in a node's TLS folder ({@code COLONY_TLS_DIR}). */
  public static BigInteger fileSerial(Path tlsDir) throws Exception {
    return ClusterCertificates.readCertificate(tlsDir.resolve(ArteryTls.CERT_FILE)).getSerialNumber();
  }

  /**
   * The serial number of the certificate the Artery port on 127.0.0.1:{@code remotePort}
   * presents, seen by a TLS client that authenticates with the key and certificate in
   * {@code clientTlsDir} (another node's folder: a peer the node accepts). The files are read
   * on every call, so a probe with a renewed folder keeps working.
   */
  public static BigInteger servedSerial(int remotePort, Path clientTlsDir) throws Exception {
    PrivateKey key = DERPrivateKeyLoader.load(PEMDecoder.decode(Files.readString(clientTlsDir.resolve(ArteryTls.KEY_FILE))));
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("node", key, new char[0],
        new Certificate[] {ClusterCertificates.readCertificate(clientTlsDir.resolve(ArteryTls.CERT_FILE))});
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, new char[0]);
    AtomicReference<X509Certificate> served = new AtomicReference<>();
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys.getKeyManagers(), new X509TrustManager[] {new RecordingTrustManager(served)}, null);
    try (Socket plain = new Socket("127.0.0.1", remotePort);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", remotePort, true)) {
      socket.setSoTimeout(5_000);
      socket.startHandshake();
    }
    return served.get().getSerialNumber();
  }

  /** Trusts any server and remembers its certificate: the probe checks what is served, not who. */
  private record RecordingTrustManager(AtomicReference<X509Certificate> served) implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("a client only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      served.set(chain[0]);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
