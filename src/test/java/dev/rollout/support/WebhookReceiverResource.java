package dev.rollout.support;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the step webhook receivers and configures one endpoint per receiver path, as an administrator
 * would: {@code rollout.webhook.endpoints.<name>.url} and {@code .secret}.
 */
public class WebhookReceiverResource implements QuarkusTestResourceLifecycleManager {

    private static volatile WebhookReceiver receiver;

    public static WebhookReceiver receiver() {
        return receiver;
    }

    @Override
    public Map<String, String> start() {
        receiver = new WebhookReceiver();
        Map<String, String> config = new HashMap<>();
        for (String endpoint : WebhookReceiver.ENDPOINTS) {
            config.put("rollout.webhook.endpoints." + endpoint + ".url", receiver.url(endpoint));
            config.put("rollout.webhook.endpoints." + endpoint + ".secret", receiver.secret(endpoint));
        }
        return config;
    }

    @Override
    public void stop() {
        if (receiver != null) {
            receiver.stop();
        }
    }
}
