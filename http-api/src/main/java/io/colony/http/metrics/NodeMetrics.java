package io.colony.http.metrics;

import io.colony.persistence.JournalHealth;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * A node's one meter registry and what {@code GET /metrics} renders from it.
 *
 * <p>Micrometer's Prometheus registry rather than the bare Prometheus client: its binders give
 * the JVM and process metrics (memory, GC, threads, CPU, file descriptors, uptime) with names
 * dashboards already know, recording code depends on Micrometer's neutral API only, and its
 * exposition is the Prometheus client's own text format writer. Instrumentation is manual (no
 * Pekko agent is available): what records gets {@link #registry()} handed to it.
 */
public final class NodeMetrics {

  /** The Prometheus text format 0.0.4, as every Prometheus server and agent reads it. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final HttpMetrics http;
  private final List<ScrapedMetrics> asked;

  private NodeMetrics(PrometheusMeterRegistry registry, HttpMetrics http, List<ScrapedMetrics> asked) {
    this.registry = registry;
    this.http = http;
    this.asked = asked;
  }

  /**
   * A registry with the JVM, process, cluster and journal metrics and {@code asked} bound;
   * closed when the ActorSystem terminates.
   */
  public static NodeMetrics start(ActorSystem<?> system, JournalHealth journal, List<ScrapedMetrics> asked) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    JvmGcMetrics gc = new JvmGcMetrics(); // listens to GC notifications until closed
    gc.bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    ClusterMetrics.start(system).bindTo(registry);
    new JournalMetrics(journal).bindTo(registry);
    asked.forEach(metrics -> metrics.bindTo(registry));
    system.getWhenTerminated().whenComplete((done, failure) -> {
      gc.close();
      registry.close();
    });
    return new NodeMetrics(registry, new HttpMetrics(registry), List.copyOf(asked));
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** The node's one HTTP instrumentation (one in-flight gauge), composed around its routes. */
  public HttpMetrics http() {
    return http;
  }

  /** Every meter in the Prometheus text format 0.0.4, the numbers that live in actors asked for first. */
  public CompletionStage<String> scrape() {
    return CompletableFuture.allOf(asked.stream().map(metrics -> metrics.refresh().toCompletableFuture())
        .toArray(CompletableFuture[]::new)).thenApply(done -> registry.scrape());
  }
}
