package io.colony.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.extension.ExtendWith;

/** A request body becomes a task spec: the input size limit holds whether or not the body is short. */
@ExtendWith(LogCapturingExtension.class)
class TaskSubmissionTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final TaskSubmission submission = new TaskSubmission(new TaskHandlers(List.of(new BuiltInTasks.Sleep())),
      ConfigFactory.load().getConfig("colony.tasks"));

  private TaskSpec submit(String text) throws Exception {
    JsonNode body = MAPPER.readTree(text);
    return submission.toSpec(body, text.length(), Optional.empty(), 1L, () -> "new-id");
  }

  private static String withPad(int euros) {
    return "{\"type\":\"sleep\",\"input\":{\"ms\":1,\"pad\":\"" + "€".repeat(euros) + "\"}}";
  }

  @Test
  void inputsUpToTheLimitInBytesAreAccepted() throws Exception {
    TaskSpec spec = submit(withPad(21_000)); // 63,000 bytes of UTF-8 in 21,000 characters
    assertEquals("new-id", spec.id());
    assertTrue(spec.input().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 65_536);
  }

  @Test
  void inputsOverTheLimitInBytesAreRejectedEvenWithFewCharacters() {
    // 22,000 characters are 66,000 bytes: over 64 KiB although under 65,536 characters
    var error = assertThrows(IllegalArgumentException.class, () -> submit(withPad(22_000)));
    assertTrue(error.getMessage().contains("larger than 65536 bytes"), error.getMessage());
  }
}
