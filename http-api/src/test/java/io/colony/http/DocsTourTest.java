package io.colony.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.colony.http.DocsTour.Command;
import io.colony.http.DocsTour.CreateFile;
import io.colony.http.DocsTour.Expectation;
import io.colony.http.DocsTour.NotRun;
import io.colony.http.DocsTour.Step;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** How {@link DocsTour} reads the conventions that {@code DocsTourIT} runs the docs by. */
@ExtendWith(LogCapturingExtension.class)
class DocsTourTest {

  private static final String DOC = String.join("\n",
      "Intro with an inline `bin/colony up`, not a block.",
      "",
      "<!-- doc-test: not run (needs several hosts) -->",
      "```bash",
      "export A=1",
      "java -jar x.jar",
      "```",
      "",
      "`guestbook/pom.xml`:",
      "",
      "```xml",
      "<project/>",
      "```",
      "",
      "```",
      "GET /v1/entities    not a shell block",
      "```",
      "",
      "```bash",
      "# a plain comment is not checked",
      "curl -s localhost:8080/v1/kv/a   # a trailing comment belongs to the command",
      "# => {\"key\":\"a\",…}   (and ETag: \"1\")",
      "curl -s localhost:8080/v1/kv \\",
      "  -d x",
      "# => HTTP/1.1 404 … not_found",
      "# => exit 7",
      "curl -s localhost:8080/list",
      "# => {\"keys\":[\"a\"]}   (eventually: within 1.5 s)",
      "bin/colony down",
      "```");

  @Test
  void stepsComeInDocumentOrderWithTheirExpectations() {
    List<Step> steps = DocsTour.parse("doc.md", DOC);
    assertEquals(6, steps.size(), steps.toString());
    assertEquals(new NotRun("doc.md", 4, "needs several hosts", 2), steps.get(0));
    assertEquals(new CreateFile("doc.md", 11, "guestbook/pom.xml", "<project/>\n"), steps.get(1));

    Command get = (Command) steps.get(2);
    assertEquals("curl -s localhost:8080/v1/kv/a   # a trailing comment belongs to the command", get.text());
    assertEquals(21, get.line());
    assertEquals(List.of(new Expectation("{\"key\":\"a\",…}", false)), get.expectations());
    assertEquals(0, get.exitCode());

    Command continued = (Command) steps.get(3);
    assertEquals("curl -s localhost:8080/v1/kv \\\n  -d x", continued.text());
    assertEquals(7, continued.exitCode());
    assertEquals(List.of(new Expectation("HTTP/1.1 404 … not_found", false)), continued.expectations());

    Command list = (Command) steps.get(4);
    assertTrue(list.eventually());
    assertEquals("{\"keys\":[\"a\"]}", list.expectations().get(0).text());
    assertTrue(((Command) steps.get(5)).expectations().isEmpty());
  }

  @Test
  void anEllipsisIsAnyTextAndSpacesAreAnyWhiteSpace() {
    Expectation table = new Expectation("pekko://colony@127.0.0.1:17355   Up   leader", false);
    assertTrue(table.matches("NODE STATUS\npekko://colony@127.0.0.1:17355       Up         leader\n"));
    assertFalse(table.matches("pekko://colony@127.0.0.1:17355       WeaklyUp   leader"));

    Expectation status = new Expectation("HTTP/1.1 422 … {\"error\":\"rejected\",…}", false);
    assertTrue(status.matches("HTTP/1.1 422 Unprocessable Content\r\nServer: x\r\n\r\n{\"error\":\"rejected\",\"message\":\"no\"}"));
    assertFalse(status.matches("HTTP/1.1 200 OK\r\n\r\n{\"error\":\"rejected\"}"));
    assertFalse(new Expectation("a.b", false).matches("axb"), "everything but … is literal");
  }

  @Test
  void anExpectationUnderNoCommandIsAMistakeInTheDoc() {
    assertThrows(IllegalArgumentException.class, () -> DocsTour.parse("doc.md", "```bash\n# => 200\n```"));
    assertThrows(IllegalArgumentException.class, () -> DocsTour.parse("doc.md", "```bash\nls\n"));
  }
}
