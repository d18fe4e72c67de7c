package dev.scratchlm.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** docker-compose.yml runs what the code is: every service, its port, and only settings the code reads. */
class ComposeFileTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(100); // the file shares env and depends_on blocks through anchors
        Map<String, Object> compose = new Yaml(options).load(Repo.read(Repo.ROOT.resolve("docker-compose.yml")));
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @Test
    void everyServiceModuleRunsInCompose() {
        assertThat(Repo.services()).isNotEmpty();
        assertThat(services().keySet()).containsAll(Repo.services()).contains("kafka", "postgres");
    }

    @Test
    void composeNamesNoServiceThatDoesNotExist() {
        for (String name : services().keySet()) {
            if (name.equals("kafka") || name.equals("postgres")) continue;
            assertThat(Repo.services())
                    .as("compose service %s has a module", name)
                    .contains(name);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void eachServiceIsBuiltFromItsDockerfileAndPublishesItsPort() {
        for (String module : Repo.services()) {
            Map<String, Object> service = services().get(module);
            Map<String, Object> build = (Map<String, Object>) service.get("build");
            assertThat(build.get("context")).as(module).isEqualTo("./" + module);
            Path dockerfile = Repo.ROOT.resolve(module).resolve((String) build.get("dockerfile"));
            assertThat(dockerfile).as(module + " Dockerfile").exists();
            int port = Repo.port(module);
            assertThat(Repo.read(dockerfile))
                    .as(module + " Dockerfile exposes its port")
                    .containsPattern("EXPOSE\\s+" + port + "\\b");
            assertThat((List<String>) service.get("ports")).as(module).contains("127.0.0.1:" + port + ":" + port);
            Map<String, Object> dependsOn = (Map<String, Object>) service.get("depends_on");
            assertThat(dependsOn).as(module).containsKeys("kafka", "postgres");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPublishedPortIsOnLoopbackOnly() {
        services().forEach((name, service) -> {
            for (Object p : (List<Object>) service.getOrDefault("ports", List.of())) {
                assertThat(String.valueOf(p)).as(name + " publishes " + p).startsWith("127.0.0.1:");
            }
        });
    }

    @Test
    void theLauncherBindsLoopbackUnlessToldOtherwise() {
        String launcher = Repo.read(Repo.ROOT.resolve("scratchlm"));
        assertThat(launcher).contains("HTTP_HOST=\"${SCRATCHLM_HOST:-127.0.0.1}\"");
        // Every service it starts is given that host (Quarkus alone would listen on all interfaces).
        assertThat(launcher).containsPattern("QUARKUS_HTTP_HOST=\"\\$HTTP_HOST\"[^\\n]*QUARKUS_HTTP_PORT=");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everySettingAServiceIsGivenIsOneItReads() {
        for (String module : Repo.services()) {
            Map<String, Object> env =
                    (Map<String, Object>) services().get(module).get("environment");
            Set<String> known = Repo.settings(module);
            for (String name : env.keySet()) {
                assertThat(known)
                        .as("%s is given %s in docker-compose.yml", module, name)
                        .contains(name);
            }
            assertThat(env).as(module).containsKeys("KAFKA_BOOTSTRAP_SERVERS");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void servicesReachTheBrokerAndDatabaseComposeDefines() {
        Map<String, Object> kafkaEnv =
                (Map<String, Object>) services().get("kafka").get("environment");
        Map<String, Object> pgEnv =
                (Map<String, Object>) services().get("postgres").get("environment");
        for (String module : Repo.services()) {
            Map<String, Object> env =
                    (Map<String, Object>) services().get(module).get("environment");
            assertThat(kafkaEnv.get("KAFKA_ADVERTISED_LISTENERS").toString())
                    .as(module)
                    .endsWith("//" + env.get("KAFKA_BOOTSTRAP_SERVERS"));
            if (env.containsKey("POSTGRES_JDBC_URL")) {
                assertThat(env.get("POSTGRES_JDBC_URL").toString())
                        .as(module)
                        .isEqualTo("jdbc:postgresql://postgres:5432/" + pgEnv.get("POSTGRES_DB"));
                assertThat(env.get("POSTGRES_USER")).as(module).isEqualTo(pgEnv.get("POSTGRES_USER"));
                assertThat(env.get("POSTGRES_PASSWORD")).as(module).isEqualTo(pgEnv.get("POSTGRES_PASSWORD"));
            }
        }
        // The password comes from the environment, never from the file.
        assertThat(pgEnv.get("POSTGRES_PASSWORD").toString()).startsWith("${POSTGRES_PASSWORD");
    }

    @Test
    void brokerImageIsTheKafkaVersionTheCodeIsBuiltAgainst() {
        Object image = services().get("kafka").get("image");
        assertThat(image).isEqualTo("apache/kafka:" + Repo.pomProperty("kafka.version"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void volumesThatServicesMountAreDeclared() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(100);
        Map<String, Object> compose = new Yaml(options).load(Repo.read(Repo.ROOT.resolve("docker-compose.yml")));
        Set<String> declared = ((Map<String, Object>) compose.get("volumes")).keySet();
        Pattern named = Pattern.compile("^([a-z][a-z0-9-]*):/");
        for (Map.Entry<String, Map<String, Object>> s : services().entrySet()) {
            for (Object v : (List<Object>) s.getValue().getOrDefault("volumes", List.of())) {
                Matcher m = named.matcher(v.toString());
                if (m.find())
                    assertThat(declared).as(s.getKey() + " volume " + v).contains(m.group(1));
            }
        }
    }
}
