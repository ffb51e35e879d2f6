package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.typesafe.config.Config;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Turns a {@code POST /v1/tasks} body into a {@link TaskSpec}, or says what is wrong with it.
 * With an {@code Idempotency-Key}, the task id is derived from the key, so the same key always
 * names the same task.
 */
public final class TaskSubmission {

  private final TaskHandlers handlers;
  private final long defaultTimeoutMs;
  private final long maxTimeoutMs;
  private final int defaultMaxAttempts;
  private final int maxMaxAttempts;
  private final int maxInputBytes;

  public TaskSubmission(TaskHandlers handlers, Config settings) {
    this.handlers = handlers;
    this.defaultTimeoutMs = settings.getDuration("default-timeout").toMillis();
    this.maxTimeoutMs = settings.getDuration("max-timeout").toMillis();
    this.defaultMaxAttempts = settings.getInt("default-max-attempts");
    this.maxMaxAttempts = settings.getInt("max-max-attempts");
    this.maxInputBytes = settings.getInt("max-input-bytes");
  }

  /**
   * @param bodyChars the length of the request text the body was read from: the input is part of
   *     it, so a short body spares measuring the input (its JSON takes at most 4 bytes a character)
   * @throws IllegalArgumentException with a message for the client
   */
  public TaskSpec toSpec(JsonNode body, int bodyChars, Optional<String> idempotencyKey, long now,
      Supplier<String> newId) {
    if (body == null || !body.isObject()) {
      throw new IllegalArgumentException("The body must be a JSON object like {\"type\": \"pi\", \"input\": {…}}.");
    }
    String type = body.path("type").asText("");
    TaskHandler handler = handlers.find(type).orElseThrow(() -> new IllegalArgumentException(
        "Unknown task type '" + type + "'; known types: " + handlers.types() + "."));
    JsonNode input = body.has("input") ? body.get("input") : NullNode.getInstance();
    if ((long) bodyChars * 4 > maxInputBytes && input.toString().getBytes(StandardCharsets.UTF_8).length > maxInputBytes) {
      throw new IllegalArgumentException("The input is larger than " + maxInputBytes + " bytes.");
    }
    long timeoutMs = wholeNumber(body, "timeoutMs", defaultTimeoutMs);
    if (timeoutMs < 1 || timeoutMs > maxTimeoutMs) {
      throw new IllegalArgumentException("timeoutMs must be from 1 to " + maxTimeoutMs + ".");
    }
    long maxAttempts = wholeNumber(body, "maxAttempts", defaultMaxAttempts);
    if (maxAttempts < 1 || maxAttempts > maxMaxAttempts) {
      throw new IllegalArgumentException("maxAttempts must be from 1 to " + maxMaxAttempts + ".");
    }
    long priority = wholeNumber(body, "priority", 0);
    if (Math.abs(priority) > 1_000_000) {
      throw new IllegalArgumentException("priority must be from -1000000 to 1000000.");
    }
    handler.validate(input);
    String id = idempotencyKey.map(TaskSubmission::idFor).orElseGet(newId);
    return new TaskSpec(id, type, input, timeoutMs, (int) maxAttempts, (int) priority, now);
  }

  private static long wholeNumber(JsonNode body, String field, long fallback) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isIntegralNumber()) {
      throw new IllegalArgumentException(field + " must be a whole number.");
    }
    if (!value.canConvertToLong()) {
      // asLong() would wrap it (2^64 + 1 becomes 1): refuse instead
      throw new IllegalArgumentException(field + " is out of range.");
    }
    return value.asLong();
  }

  /** What a task id looks like: the ids Colony makes (UUIDs, idem-<hex>) and nothing a journal column cannot hold. */
  private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /** Whether {@code id} can name a task; anything else is a 400, never a lookup. */
  public static boolean isValidId(String id) {
    return ID.matcher(id).matches();
  }

  /** The same key, the same task id; hashed so any key makes a valid id. */
  public static String idFor(String idempotencyKey) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
      return "idem-" + HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
