package dev.rollout.gate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the configured {@link MonitoringSources} injectable. */
@ApplicationScoped
public class MonitoringSourcesProducer {

    @Produces
    @Singleton
    MonitoringSources monitoringSources(MonitoringConfig.DefaultPrometheus prometheus,
                                        MonitoringConfig.DefaultAlertmanager alertmanager,
                                        MonitoringConfig.NamedSources named) {
        return MonitoringConfig.toSources(prometheus, alertmanager, named);
    }
}
