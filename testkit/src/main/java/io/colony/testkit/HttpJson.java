package io.colony.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A plain HTTP client for tests: real requests against a real server. */
public final class HttpJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private HttpJson() {}

  public static HttpResponse<String> send(String method, String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()));
  }

  public static HttpResponse<String> get(String url) {
    return send("GET", url);
  }

  /** GET url with {@code Authorization: Bearer <token>}, or without the header when the token is null. */
  public static HttpResponse<String> get(String url, String bearerToken) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    return send(bearerToken == null ? request : request.header("Authorization", "Bearer " + bearerToken));
  }

  public static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return CLIENT.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The status of GET url, or -1 when nothing answers. */
  public static int status(String url) {
    try {
      return get(url).statusCode();
    } catch (UncheckedIOException e) {
      return -1;
    }
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + response.body(), e);
    }
  }

  public static JsonNode getJson(String url) {
    return json(get(url));
  }

  /**
   * Every page of a listing ({@code {"<items>": […], "next": …}}) from {@code firstUrl}, which has
   * a query already, following {@code next} as {@code &after=}. Fails on a status other than 200,
   * on a cursor that does not move on, and beyond {@code maxPages} pages.
   */
  public static List<JsonNode> pages(String firstUrl, int maxPages) {
    List<JsonNode> pages = new ArrayList<>();
    Set<String> cursors = new HashSet<>();
    String next = null;
    do {
      String url = firstUrl + (next == null ? "" : "&after=" + URLEncoder.encode(next, StandardCharsets.UTF_8));
      HttpResponse<String> response = get(url);
      if (response.statusCode() != 200) {
        throw new AssertionError(url + " answered " + response.statusCode() + ": " + response.body());
      }
      JsonNode page = json(response);
      pages.add(page);
      next = page.get("next").isNull() ? null : page.get("next").asText();
      if (next != null && (!cursors.add(next) || pages.size() >= maxPages)) {
        throw new AssertionError(url + ": the listing does not end within " + maxPages + " pages (next " + next + ")");
      }
    } while (next != null);
    return pages;
  }
}
