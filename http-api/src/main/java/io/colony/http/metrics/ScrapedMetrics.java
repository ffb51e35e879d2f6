package io.colony.http.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.CompletionStage;

/**
 * Meters whose numbers live in actors: they are asked for before each scrape, since a gauge is
 * read synchronously and must not block on an ask.
 */
public interface ScrapedMetrics extends MeterBinder {

  /** Asks for fresh numbers; completes (never fails) when they came or the ask gave up, keeping the last ones. */
  CompletionStage<Void> refresh();
}
