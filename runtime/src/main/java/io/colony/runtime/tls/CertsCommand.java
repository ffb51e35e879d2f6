package io.colony.runtime.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/colony certs}: makes (or extends) a cluster's CA and node certificates for Artery's
 * mutual TLS. The CA is made once and reused; its key stays in the output folder and never goes
 * to a node. Each node gets a folder to point {@code COLONY_TLS_DIR} at.
 */
public final class CertsCommand {

  static final String USAGE = """
      usage: certs DIR [--nodes N] [--cluster-name NAME] [--host HOST]... [--days DAYS] [--renew]
        DIR            the CA (ca.crt, ca.key) and one folder per node, node-1 .. node-N
        --nodes N      how many node folders (default 1); existing ones are kept unless --renew
        --cluster-name the name every node certificate shares (default colony-cluster)
        --host HOST    a DNS name or IP address to add to every node certificate (repeatable)
        --days DAYS    validity of new certificates (default 365; the CA gets ten times that)
        --renew        replace the node folders' keys and certificates (a rotation: running
                       nodes pick them up within COLONY_TLS_RELOAD_INTERVAL)""";

  /** The parsed command line. */
  record Options(Path dir, int nodes, String clusterName, List<String> hosts, int days, boolean renew) {

    static Options parse(String[] args) {
      Path dir = null;
      int nodes = 1;
      int days = 365;
      String clusterName = "colony-cluster";
      boolean renew = false;
      List<String> hosts = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--nodes" -> nodes = positive(value(args, ++i, arg), arg);
          case "--days" -> days = positive(value(args, ++i, arg), arg);
          case "--cluster-name" -> clusterName = value(args, ++i, arg);
          case "--host" -> hosts.add(value(args, ++i, arg));
          case "--renew" -> renew = true;
          default -> {
            if (arg.startsWith("-") || dir != null) {
              throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            dir = Path.of(arg);
          }
        }
      }
      if (dir == null) {
        throw new IllegalArgumentException("DIR is missing");
      }
      return new Options(dir, nodes, clusterName, List.copyOf(hosts), days, renew);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static int positive(String text, String option) {
      try {
        int n = Integer.parseInt(text);
        if (n > 0) {
          return n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new IllegalArgumentException(option + " must be a positive number, not '" + text + "'");
    }
  }

  private CertsCommand() {}

  public static void main(String[] args) {
    try {
      run(args).forEach(System.out::println);
    } catch (IllegalArgumentException e) {
      System.err.println("certs: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
    } catch (IOException | IllegalStateException e) {
      System.err.println("certs: " + e.getMessage());
      System.exit(1);
    }
  }

  /**
   * Makes what is missing (or everything of the nodes', with --renew); returns what it did.
   *
   * @throws IllegalArgumentException when the arguments are wrong
   */
  public static List<String> run(String... args) throws IOException {
    return run(Options.parse(args));
  }

  private static List<String> run(Options options) throws IOException {
    List<String> done = new ArrayList<>();
    Duration validity = Duration.ofDays(options.days());
    ClusterCertificates.Issued authority;
    if (Files.exists(options.dir().resolve(ClusterCertificates.CA_KEY_FILE))) {
      authority = ClusterCertificates.readAuthority(options.dir());
    } else {
      authority = ClusterCertificates.newAuthority(options.clusterName(), validity.multipliedBy(10));
      ClusterCertificates.writeAuthority(options.dir(), authority);
      done.add("made a CA in " + options.dir() + " (keep " + ClusterCertificates.CA_KEY_FILE + " off the nodes)");
    }
    for (int i = 1; i <= options.nodes(); i++) {
      Path nodeDir = options.dir().resolve("node-" + i);
      if (!options.renew() && Files.exists(nodeDir.resolve(ArteryTls.CERT_FILE))) {
        continue;
      }
      ClusterCertificates.Issued node = ClusterCertificates.newNodeCertificate(
          authority, options.clusterName(), options.clusterName() + "-node-" + i, options.hosts(), validity);
      ClusterCertificates.writeNode(nodeDir, node, authority.certificate());
      done.add((options.renew() ? "renewed " : "made ") + nodeDir + " (COLONY_TLS_DIR of node " + i + ")");
    }
    return done;
  }
}
