package io.colony.http.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A Server-Sent Events client for tests: a thread parses the stream into {@link Event}s (keep-alives,
 * which carry no data, are skipped as a browser skips them) and {@link #next} waits for the next one with a timeout.
 */
public final class SseClient implements AutoCloseable {

  /** One event: its id, type and data, as sent (null when a field is absent). */
  public record Event(String id, String type, String data) {}

  private final InputStream body;
  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Thread reader;

  private SseClient(InputStream body) {
    this.body = body;
    this.reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Opens {@code url}; {@code lastEventId} (may be null) goes in the Last-Event-ID header. */
  public static SseClient open(String url, String lastEventId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    try {
      HttpResponse<InputStream> response =
          HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(url + " answered " + response.statusCode() + ": "
            + new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
      }
      return new SseClient(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The next event, waiting at most {@code timeout}. */
  public Event next(Duration timeout) {
    try {
      Event event = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (event == null) {
        throw new AssertionError("no event within " + timeout);
      }
      return event;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String id = null;
      String type = null;
      StringBuilder data = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          // Empty data is not an event (the SSE spec): it is how pekko-http sends keep-alives.
          if (data != null && !data.isEmpty()) {
            events.add(new Event(id, type, data.toString()));
          }
          id = null;
          type = null;
          data = null;
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          data = data == null ? new StringBuilder() : data.append('\n');
          data.append(line.substring(5).strip());
        }
      }
    } catch (IOException closed) {
      // the test closed the stream
    }
  }

  @Override
  public void close() {
    try {
      body.close();
    } catch (IOException ignored) {
      // closing is all we want
    }
    reader.interrupt();
  }
}
