package io.colony.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.colony.persistence.CborSerializable;

/** An accepted task as submitted: what to run and under which limits. */
public record TaskSpec(
    String id,
    String type,
    JsonNode input,
    long timeoutMs,
    int maxAttempts,
    int priority,
    long submittedAt) implements CborSerializable {}
