package io.colony.http;

import static io.colony.testkit.HttpJson.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.testkit.FreePorts;
import io.colony.testkit.HttpJson;
import io.colony.testkit.NodeProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An entity type that is not part of Colony: the guest book of docs/entities.md is compiled
 * here against the node jar alone, packed into its own jar with its META-INF/services file,
 * and put in an extensions folder of a real node process
 * ({@code java -cp colony-node.jar:ext/* io.colony.http.Main}), which serves it over HTTP.
 */
@ExtendWith(LogCapturingExtension.class)
class EntityExtensionIT {

  private static final Path SOURCES = Path.of("src/test/resources/extension").toAbsolutePath();
  private final List<NodeProcess> started = new ArrayList<>();

  @AfterEach
  void stop() {
    started.forEach(NodeProcess::close);
  }

  @Test
  void anExtensionJarAddsAnEntityTypeWithoutRebuildingColony() throws Exception {
    Path dir = Path.of("target", "it-logs", "extension").toAbsolutePath();
    Path ext = dir.resolve("ext");
    buildExtensionJar(dir.resolve("build"), ext.resolve("guestbook.jar"), "com.example.guestbook.GuestbookType");

    NodeProcess node = start(dir, "node", ext);
    await().atMost(Duration.ofSeconds(60)).until(() -> HttpJson.status(node.url() + "/ready") == 200 || !node.isAlive());
    assertTrue(node.isAlive(), node.logTail());

    assertEquals("{\"entityTypes\":[{\"name\":\"guestbook\",\"commands\":[\"sign\"]}]}",
        HttpJson.get(node.url() + "/v1/entities").body(), "the extension's type and nothing else (no samples)");
    String book = node.url() + "/v1/entities/guestbook/visitors";
    HttpResponse<String> signed = post(book, "{\"type\":\"sign\",\"name\":\"Ada\"}");
    assertEquals(200, signed.statusCode(), signed.body());
    assertEquals("{\"signatures\":[\"Ada\"]}", signed.body());
    HttpResponse<String> again = post(book, "{\"type\":\"sign\",\"name\":\"Ada\"}");
    assertEquals(422, again.statusCode());
    assertEquals("Ada has signed already", json(again).get("message").asText());
    post(book, "{\"type\":\"sign\",\"name\":\"Grace\"}");
    assertEquals("{\"signatures\":[\"Ada\",\"Grace\"]}", HttpJson.get(book).body());
  }

  @Test
  void aBrokenExtensionStopsTheNodeNamingTheMissingClass() throws Exception {
    Path dir = Path.of("target", "it-logs", "extension-broken").toAbsolutePath();
    Path ext = dir.resolve("ext");
    buildExtensionJar(dir.resolve("build"), ext.resolve("broken.jar"), "com.example.guestbook.NoSuchType");

    NodeProcess node = start(dir, "broken-node", ext);
    assertEquals(3, node.waitForExit(Duration.ofSeconds(60)), node.logTail());
    assertTrue(node.logTail().contains("com.example.guestbook.NoSuchType"), node.logTail());
  }

  @Test
  void theGuideShowsTheCodeThatIsTestedHere() throws IOException {
    String guide = Files.readString(Path.of(System.getProperty("colony.home", "..")).resolve("docs/entities.md"));
    for (Path source : javaSources()) {
      assertTrue(guide.contains(Files.readString(source).trim()), "docs/entities.md shows " + source.getFileName());
    }
  }

  private NodeProcess start(Path dir, String name, Path ext) {
    int remote = FreePorts.next();
    NodeProcess node = NodeProcess.start(name, dir, FreePorts.next(), remote, Map.of(
            "COLONY_SEED_NODES", "127.0.0.1:" + remote,
            "COLONY_DB_URL", "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
            "COLONY_DATA_DIR", dir.resolve("data").toString()),
        List.of(ext.resolve("*").toString()));
    started.add(node);
    return node;
  }

  private static List<Path> javaSources() throws IOException {
    try (Stream<Path> files = Files.walk(SOURCES)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    }
  }

  /** javac against the node jar alone, then a jar with the classes and the services file naming {@code provider}. */
  private static void buildExtensionJar(Path build, Path jar, String provider) throws IOException {
    Path classes = build.resolve("classes");
    Files.createDirectories(classes);
    Files.createDirectories(jar.getParent());
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "the tests run on a JDK");
    List<String> args = new ArrayList<>(List.of("--release", "17", "-classpath", NodeProcess.jar().toString(),
        "-d", classes.toString()));
    javaSources().forEach(source -> args.add(source.toString()));
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int status = javac.run(null, errors, errors, args.toArray(String[]::new));
    assertEquals(0, status, "javac: " + errors.toString(StandardCharsets.UTF_8));

    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.walk(classes)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
        Files.copy(file, out);
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/io.colony.persistence.sdk.EntityType"));
      out.write((provider + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
  }

  private static HttpResponse<String> post(String url, String body) {
    return HttpJson.send(HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }
}
