package io.colony.persistence.sdk;

/**
 * The answer to a command for which the entity registered no handler in its current state; nothing
 * was persisted. The HTTP API answers it with 400 {@code unsupported_command}. It crosses nodes with
 * Pekko's own throwable serializer ({@code pekko-misc}, bound in reference.conf), which recreates it
 * from its class name and message.
 */
public final class UnsupportedCommandException extends RuntimeException {

  public UnsupportedCommandException(String message) {
    // No stack trace: this is an answer, not a bug, and it should travel small.
    super(message, null, false, false);
  }
}
