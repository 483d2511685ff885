package dev.rollout.rollout;

import java.net.InetAddress;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;

@ConfigMapping(prefix = "rollout.controller")
public interface ControllerConfig {

    /** Names this instance in the history of the moves it makes by itself; defaults to host:pid. */
    Optional<String> instanceId();

    default String instanceName() {
        return instanceId().filter(s -> !s.isBlank()).orElseGet(() -> {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                host = "unknown-host";
            }
            return host + ":" + ProcessHandle.current().pid();
        });
    }
}
