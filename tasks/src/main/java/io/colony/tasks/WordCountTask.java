package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.colony.sharding.kv.KeyValueEntity;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * {@code wordcount}: counts words in {@code {"text": …}} or in the values of
 * {@code {"keys": [...]}} read from the key-value store. Answers the total, the number of
 * distinct words and the ten most frequent.
 */
public final class WordCountTask implements TaskHandler {

  private static final int TOP = 10;

  @Override
  public String type() {
    return "wordcount";
  }

  @Override
  public void validate(JsonNode input) {
    boolean text = input.path("text").isTextual();
    boolean keys = input.path("keys").isArray() && input.path("keys").size() > 0;
    if (text == keys) {
      throw new IllegalArgumentException("wordcount needs either {\"text\": \"…\"} or {\"keys\": [\"k1\", …]}");
    }
  }

  @Override
  public JsonNode run(TaskContext context, JsonNode input) throws Exception {
    Map<String, Integer> counts = new HashMap<>();
    if (input.path("text").isTextual()) {
      count(input.get("text").asText(), counts);
    } else {
      ClusterSharding sharding = ClusterSharding.get(context.system());
      for (JsonNode key : input.get("keys")) {
        KeyValueEntity.Reply reply = sharding.entityRefFor(KeyValueEntity.ENTITY_KEY, key.asText())
            .ask(KeyValueEntity.Get::new, readTimeout(context)).toCompletableFuture().get();
        if (!(reply instanceof KeyValueEntity.Found found)) {
          throw new NonRetryableTaskException("key '" + key.asText() + "' does not exist");
        }
        count(new String(found.value(), StandardCharsets.UTF_8), counts);
      }
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.put("words", counts.values().stream().mapToInt(Integer::intValue).sum());
    result.put("distinct", counts.size());
    var top = result.putArray("top");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP)
        .forEach(e -> top.addObject().put("word", e.getKey()).put("count", e.getValue()));
    return result;
  }

  static void count(String text, Map<String, Integer> counts) {
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}']+")) {
      if (!word.isEmpty()) {
        counts.merge(word, 1, Integer::sum);
      }
    }
  }

  private static java.time.Duration readTimeout(TaskContext context) {
    return context.system().settings().config().getDuration("colony.tasks.wordcount.read-timeout");
  }
}
