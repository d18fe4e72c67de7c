package dev.scratchlm.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.contracts.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** k8s/ deploys what the code is: Deployments with probes and resources, Services, topics, secrets, volumes. */
@SuppressWarnings("unchecked")
class KubernetesManifestsTest {
    private static final Path K8S = Repo.ROOT.resolve("k8s");

    private static List<String> resources() {
        Map<String, Object> k = new Yaml().load(Repo.read(K8S.resolve("kustomization.yaml")));
        return (List<String>) k.get("resources");
    }

    private static List<Map<String, Object>> documents() {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String file : resources()) {
            for (Object doc : new Yaml().loadAll(Repo.read(K8S.resolve(file)))) {
                if (doc != null) docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    private static Map<String, Object> find(String kind, String name) {
        return documents().stream()
                .filter(d -> kind.equals(d.get("kind")) && name.equals(meta(d).get("name")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in k8s/"));
    }

    private static Map<String, Object> meta(Map<String, Object> doc) {
        return (Map<String, Object>) doc.get("metadata");
    }

    private static Map<String, Object> at(Map<String, Object> map, String... path) {
        Map<String, Object> m = map;
        for (String p : path) m = (Map<String, Object>) m.get(p);
        return m;
    }

    private static Map<String, Object> container(Map<String, Object> workload) {
        return ((List<Map<String, Object>>)
                        at(workload, "spec", "template", "spec").get("containers"))
                .get(0);
    }

    @Test
    void kustomizationListsEveryManifest() throws IOException {
        try (Stream<Path> files = Files.list(K8S)) {
            List<String> yaml = files.map(f -> f.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
                    .toList();
            assertThat(resources()).containsExactlyInAnyOrderElementsOf(yaml);
        }
    }

    @Test
    void everyServiceHasADeploymentAndAServiceOnItsPort() {
        for (String module : Repo.services()) {
            int port = Repo.port(module);
            Map<String, Object> deployment = find("Deployment", module);
            Map<String, Object> c = container(deployment);
            List<Map<String, Object>> ports = (List<Map<String, Object>>) c.get("ports");
            assertThat(ports)
                    .as(module)
                    .anySatisfy(p -> assertThat(p.get("containerPort")).isEqualTo(port));
            Map<String, Object> service = find("Service", module);
            List<Map<String, Object>> sp =
                    (List<Map<String, Object>>) at(service, "spec").get("ports");
            assertThat(sp)
                    .as(module)
                    .anySatisfy(p -> assertThat(p.get("targetPort")).isEqualTo(port));
            assertThat(at(service, "spec", "selector")).isEqualTo(at(deployment, "spec", "selector", "matchLabels"));
        }
        for (Map<String, Object> d : documents()) {
            if ("Deployment".equals(d.get("kind"))) {
                assertThat(Repo.services())
                        .as("Deployment %s has a module", meta(d).get("name"))
                        .contains((String) meta(d).get("name"));
            }
        }
    }

    @Test
    void probesHitQuarkusHealthEndpointsThatExist() {
        for (String module : Repo.services()) {
            assertThat(Repo.dependsOn(module, "quarkus-smallrye-health"))
                    .as(module + " serves /q/health")
                    .isTrue();
            Map<String, Object> c = container(find("Deployment", module));
            int port = Repo.port(module);
            Map<String, String> expected = Map.of(
                    "startupProbe",
                    "/q/health/started",
                    "readinessProbe",
                    "/q/health/ready",
                    "livenessProbe",
                    "/q/health/live");
            expected.forEach((probe, path) -> {
                Map<String, Object> get = (Map<String, Object>) ((Map<String, Object>) c.get(probe)).get("httpGet");
                assertThat(get.get("path")).as(module + " " + probe).isEqualTo(path);
                assertThat(get.get("port")).as(module + " " + probe).isEqualTo(port);
            });
        }
    }

    @Test
    void everyContainerHasResourceRequestsAndAMemoryLimit() {
        for (Map<String, Object> d : documents()) {
            if (!Set.of("Deployment", "StatefulSet", "Job").contains(d.get("kind"))) continue;
            Map<String, Object> res = (Map<String, Object>) container(d).get("resources");
            assertThat(res).as(meta(d).get("name") + " resources").isNotNull();
            assertThat((Map<String, Object>) res.get("requests"))
                    .as(meta(d).get("name").toString())
                    .containsKeys("cpu", "memory");
            assertThat((Map<String, Object>) res.get("limits"))
                    .as(meta(d).get("name").toString())
                    .containsKey("memory");
        }
    }

    /**
     * The JVM's own caps fit the pod's limit, so the service refuses work (a model it cannot load, a job that does
     * not fit) before the kernel kills the pod: with native buffers, JavaCPP's resident-size cap is under the limit
     * and heap plus off-heap cap under that; without, the heap leaves a quarter of the limit to the rest of the JVM.
     */
    @Test
    void jvmMemoryCapsFitThePodLimit() {
        for (String module : Repo.services()) {
            Path options = Repo.ROOT.resolve(module).resolve("jvm.options");
            if (!java.nio.file.Files.exists(options)) continue;
            String text = Repo.read(options);
            long heap = bytes(flag(text, "-Xmx"));
            String limitText = ((Map<String, Object>) ((Map<String, Object>)
                                    container(find("Deployment", module)).get("resources"))
                            .get("limits"))
                    .get("memory")
                    .toString();
            long limit = bytes(limitText);
            String physical = flag(text, "-Dorg.bytedeco.javacpp.maxphysicalbytes=");
            if (physical != null) {
                long offHeap = bytes(flag(text, "-Dorg.bytedeco.javacpp.maxbytes="));
                assertThat(bytes(physical))
                        .as(module + ": maxphysicalbytes under the pod limit " + limitText)
                        .isLessThanOrEqualTo(limit);
                assertThat(heap + offHeap)
                        .as(module + ": -Xmx plus maxbytes under maxphysicalbytes")
                        .isLessThanOrEqualTo(bytes(physical));
            } else {
                assertThat(heap)
                        .as(module + ": -Xmx leaves a quarter of the pod limit " + limitText)
                        .isLessThanOrEqualTo(limit * 3 / 4);
            }
        }
    }

    /** The value of a JVM flag among the lines of jvm.options (comments skipped), or null. */
    private static String flag(String options, String prefix) {
        for (String line : options.split("\n")) {
            String t = line.trim();
            if (!t.startsWith("#") && t.startsWith(prefix)) return t.substring(prefix.length());
        }
        return null;
    }

    /** 1g, 1200m, 3500M, 2G (JVM) and 1536Mi, 3Gi (Kubernetes) in bytes. */
    private static long bytes(String v) {
        assertThat(v).as("a memory size").isNotNull();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(\\d+)([kKmMgG]i?)?").matcher(v.trim());
        assertThat(m.matches()).as("a memory size: " + v).isTrue();
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).substring(0, 1).toLowerCase();
        return switch (unit) {
            case "k" -> n << 10;
            case "m" -> n << 20;
            case "g" -> n << 30;
            default -> n;
        };
    }

    @Test
    void everySettingAServiceIsGivenIsOneItReads() {
        for (String module : Repo.services()) {
            Set<String> known = Repo.settings(module);
            for (Map<String, Object> e : (List<Map<String, Object>>)
                    container(find("Deployment", module)).get("env")) {
                assertThat(known)
                        .as("%s is given %s in k8s/", module, e.get("name"))
                        .contains((String) e.get("name"));
            }
        }
    }

    @Test
    void secretsAreReferencedNotWrittenDown() {
        Map<String, Object> k = new Yaml().load(Repo.read(K8S.resolve("kustomization.yaml")));
        Set<String> generated = ((List<Map<String, Object>>) k.get("secretGenerator"))
                .stream().map(g -> (String) g.get("name")).collect(Collectors.toSet());
        String secretsReadme = Repo.read(K8S.resolve("secrets/README.md"));
        for (Map<String, Object> d : documents()) {
            assertThat(d.get("kind")).as("no Secret with values in k8s/").isNotEqualTo("Secret");
            if (!Set.of("Deployment", "StatefulSet").contains(d.get("kind"))) continue;
            for (Map<String, Object> e :
                    (List<Map<String, Object>>) container(d).getOrDefault("env", List.of())) {
                if (String.valueOf(e.get("name")).contains("PASSWORD")) {
                    assertThat(e)
                            .as(meta(d).get("name") + " " + e.get("name"))
                            .containsKey("valueFrom")
                            .doesNotContainKey("value");
                }
                Map<String, Object> from = (Map<String, Object>) e.get("valueFrom");
                if (from == null || from.get("secretKeyRef") == null) continue;
                Map<String, Object> ref = (Map<String, Object>) from.get("secretKeyRef");
                assertThat(generated).as(meta(d).get("name") + " secret").contains((String) ref.get("name"));
                assertThat(secretsReadme).as("secret key documented").contains("`" + ref.get("key") + "=");
            }
        }
        assertThat(Repo.read(Repo.ROOT.resolve(".gitignore"))).contains("k8s/secrets/*.env");
    }

    @Test
    void theTopicJobCreatesExactlyTheTopicsTheCodeDefines() {
        Map<String, Object> job = find("Job", "kafka-topics");
        String script = String.join("\n", (List<String>) container(job).get("command"));
        Map<String, String> inJob = new TreeMap<>();
        Matcher m = Pattern.compile("(?m)^\\s*create (\\S+) (.*)$").matcher(script);
        while (m.find()) inJob.put(m.group(1), m.group(2).trim());
        Map<String, String> inCode = new TreeMap<>();
        for (Topics.Spec spec : Topics.ALL) {
            StringBuilder args = new StringBuilder("--partitions " + spec.partitions());
            new TreeMap<>(spec.configs())
                    .forEach((key, value) ->
                            args.append(" --config ").append(key).append('=').append(value));
            inCode.put(spec.name(), args.toString());
        }
        Map<String, String> normalized = new HashMap<>();
        inJob.forEach((topic, args) -> normalized.put(topic, sortConfigs(args)));
        assertThat(normalized).isEqualTo(inCode);
    }

    private static String sortConfigs(String args) {
        Matcher p = Pattern.compile("--partitions (\\d+)").matcher(args);
        assertThat(p.find()).isTrue();
        Map<String, String> configs = new TreeMap<>();
        Matcher c = Pattern.compile("--config (\\S+)=(\\S+)").matcher(args);
        while (c.find()) configs.put(c.group(1), c.group(2));
        StringBuilder out = new StringBuilder("--partitions " + p.group(1));
        configs.forEach((k, v) -> out.append(" --config ").append(k).append('=').append(v));
        return out.toString();
    }

    @Test
    void autoscalersTargetStatelessDeploymentsOnly() {
        for (Map<String, Object> d : documents()) {
            if (!"HorizontalPodAutoscaler".equals(d.get("kind"))) continue;
            String target = (String) at(d, "spec", "scaleTargetRef").get("name");
            Map<String, Object> deployment = find("Deployment", target);
            Map<String, Object> podSpec = at(deployment, "spec", "template", "spec");
            List<Map<String, Object>> volumes = (List<Map<String, Object>>) podSpec.getOrDefault("volumes", List.of());
            assertThat(volumes)
                    .as(target + " is scaled, so it must not own a writable volume")
                    .allSatisfy(v -> {
                        Map<String, Object> pvc = (Map<String, Object>) v.get("persistentVolumeClaim");
                        if (pvc != null) assertThat(pvc.get("readOnly")).isEqualTo(true);
                    });
        }
        assertThat(documents()).anySatisfy(d -> assertThat(d.get("kind")).isEqualTo("HorizontalPodAutoscaler"));
    }

    @Test
    void theTrainerKeepsItsStateOnAPersistentVolumeAndIsNeverTwo() {
        if (!Repo.services().contains("trainer-service")) return;
        Map<String, Object> deployment = find("Deployment", "trainer-service");
        assertThat(at(deployment, "spec").get("replicas")).isEqualTo(1);
        assertThat(at(deployment, "spec", "strategy").get("type")).isEqualTo("Recreate");
        Map<String, Object> c = container(deployment);
        String stateDir = ((List<Map<String, Object>>) c.get("env"))
                .stream()
                        .filter(e -> "SCRATCHLM_STATE_DIR".equals(e.get("name")))
                        .map(e -> (String) e.get("value"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("trainer has no SCRATCHLM_STATE_DIR"));
        List<Map<String, Object>> mounts = (List<Map<String, Object>>) c.get("volumeMounts");
        assertThat(mounts).anySatisfy(mnt -> assertThat(mnt.get("mountPath")).isEqualTo(stateDir));
    }

    @Test
    void everyClaimAWorkloadMountsExists() {
        Set<String> claims = documents().stream()
                .filter(d -> "PersistentVolumeClaim".equals(d.get("kind")))
                .map(d -> (String) meta(d).get("name"))
                .collect(Collectors.toSet());
        for (Map<String, Object> d : documents()) {
            if (!"Deployment".equals(d.get("kind"))) continue;
            Map<String, Object> podSpec = at(d, "spec", "template", "spec");
            for (Map<String, Object> v : (List<Map<String, Object>>) podSpec.getOrDefault("volumes", List.of())) {
                Map<String, Object> pvc = (Map<String, Object>) v.get("persistentVolumeClaim");
                if (pvc != null)
                    assertThat(claims).as(meta(d).get("name") + " claim").contains((String) pvc.get("claimName"));
            }
        }
    }

    @Test
    void brokerImageIsTheKafkaVersionTheCodeIsBuiltAgainst() {
        String expected = "apache/kafka:" + Repo.pomProperty("kafka.version");
        assertThat(container(find("StatefulSet", "kafka")).get("image")).isEqualTo(expected);
        assertThat(container(find("Job", "kafka-topics")).get("image")).isEqualTo(expected);
    }

    /** Every Deployment, StatefulSet and Job: what runs pods. */
    private static List<Map<String, Object>> workloads() {
        return documents().stream()
                .filter(d -> Set.of("Deployment", "StatefulSet", "Job").contains(d.get("kind")))
                .toList();
    }

    @Test
    void everyPodRunsAsNonRootReadOnlyWithoutPrivilegesOrAToken() {
        assertThat(workloads())
                .hasSizeGreaterThanOrEqualTo(Repo.services().size() + 3); // + kafka, postgres, the topic job
        for (Map<String, Object> w : workloads()) {
            String name = w.get("kind") + " " + meta(w).get("name");
            Map<String, Object> pod = at(w, "spec", "template", "spec");
            assertThat(pod.get("automountServiceAccountToken"))
                    .as(name + " mounts no service-account token")
                    .isEqualTo(false);
            Map<String, Object> sc = (Map<String, Object>) pod.get("securityContext");
            assertThat(sc).as(name + " pod securityContext").isNotNull();
            assertThat(sc.get("runAsNonRoot")).as(name).isEqualTo(true);
            assertThat(sc.get("runAsUser"))
                    .as(name + " runs as a numeric non-root user")
                    .isInstanceOf(Integer.class)
                    .isNotEqualTo(0);
            assertThat(at(sc, "seccompProfile").get("type")).as(name).isEqualTo("RuntimeDefault");
            Map<String, String> emptyDirs = new HashMap<>();
            for (Map<String, Object> v : (List<Map<String, Object>>) pod.getOrDefault("volumes", List.of())) {
                if (v.containsKey("emptyDir")) emptyDirs.put((String) v.get("name"), "emptyDir");
            }
            List<Map<String, Object>> all = new ArrayList<>((List<Map<String, Object>>) pod.get("containers"));
            all.addAll((List<Map<String, Object>>) pod.getOrDefault("initContainers", List.of()));
            for (Map<String, Object> c : all) {
                String cn = name + " container " + c.get("name");
                Map<String, Object> csc = (Map<String, Object>) c.get("securityContext");
                assertThat(csc).as(cn + " securityContext").isNotNull();
                assertThat(csc.get("allowPrivilegeEscalation")).as(cn).isEqualTo(false);
                assertThat(csc.get("readOnlyRootFilesystem")).as(cn).isEqualTo(true);
                assertThat((List<String>) at(csc, "capabilities").get("drop"))
                        .as(cn)
                        .contains("ALL");
            }
            for (Map<String, Object> c : (List<Map<String, Object>>) pod.get("containers")) {
                // A read-only root needs somewhere to write temporary files.
                assertThat((List<Map<String, Object>>) c.get("volumeMounts"))
                        .as(name + " mounts an emptyDir at /tmp")
                        .anySatisfy(m -> {
                            assertThat(m.get("mountPath")).isEqualTo("/tmp");
                            assertThat(emptyDirs).containsKey((String) m.get("name"));
                        });
            }
        }
    }

    /** Whether a NetworkPolicy pod selector picks pods labelled app.kubernetes.io/name={@code app}. */
    private static boolean selects(Map<String, Object> selector, String app) {
        if (selector == null) return false;
        Map<String, Object> labels = (Map<String, Object>) selector.get("matchLabels");
        List<Map<String, Object>> expressions = (List<Map<String, Object>>) selector.get("matchExpressions");
        if (labels == null && expressions == null) return true; // {}: every pod
        if (labels != null && !app.equals(labels.get("app.kubernetes.io/name"))) return false;
        if (expressions != null) {
            for (Map<String, Object> e : expressions) {
                if (!"app.kubernetes.io/name".equals(e.get("key"))
                        || !"In".equals(e.get("operator"))
                        || !((List<String>) e.get("values")).contains(app)) return false;
            }
        }
        return true;
    }

    private static List<Map<String, Object>> policies() {
        return documents().stream()
                .filter(d -> "NetworkPolicy".equals(d.get("kind")))
                .toList();
    }

    /** Whether some policy lets pods of {@code from} reach pods of {@code to} on {@code port} (null from: anyone). */
    private static boolean allowed(String from, String to, int port) {
        boolean in = false, out = from == null;
        for (Map<String, Object> p : policies()) {
            Map<String, Object> spec = (Map<String, Object>) p.get("spec");
            if (selects((Map<String, Object>) spec.get("podSelector"), to)) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) spec.getOrDefault("ingress", List.of())) {
                    List<Map<String, Object>> peers = (List<Map<String, Object>>) rule.get("from");
                    boolean peerOk = peers == null
                            || (from != null
                                    && peers.stream()
                                            .anyMatch(x -> selects((Map<String, Object>) x.get("podSelector"), from)
                                                    && !x.containsKey("namespaceSelector")));
                    if (peerOk && onPort(rule, port)) in = true;
                }
            }
            if (from != null && selects((Map<String, Object>) spec.get("podSelector"), from)) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) spec.getOrDefault("egress", List.of())) {
                    List<Map<String, Object>> peers = (List<Map<String, Object>>) rule.get("to");
                    boolean peerOk = peers != null
                            && peers.stream()
                                    .anyMatch(x -> selects((Map<String, Object>) x.get("podSelector"), to)
                                            && !x.containsKey("namespaceSelector"));
                    if (peerOk && onPort(rule, port)) out = true;
                }
            }
        }
        return in && out;
    }

    private static boolean onPort(Map<String, Object> rule, int port) {
        List<Map<String, Object>> ports = (List<Map<String, Object>>) rule.get("ports");
        return ports == null
                || ports.stream().anyMatch(p -> Integer.valueOf(port).equals(p.get("port")));
    }

    @Test
    void networkPoliciesDenyEverythingButTheFlowsOfTheDesign() {
        assertThat(policies()).as("a default deny for the whole namespace").anySatisfy(p -> {
            Map<String, Object> spec = (Map<String, Object>) p.get("spec");
            assertThat((Map<String, Object>) spec.get("podSelector")).isEmpty();
            assertThat((List<String>) spec.get("policyTypes")).containsExactlyInAnyOrder("Ingress", "Egress");
            assertThat(spec).doesNotContainKeys("ingress", "egress");
        });
        for (String module : Repo.services()) {
            assertThat(allowed(null, module, Repo.port(module)))
                    .as("people reach " + module)
                    .isTrue();
            assertThat(allowed(module, "kafka", 9092)).as(module + " -> kafka").isTrue();
            assertThat(allowed(module, "postgres", 5432))
                    .as(module + " -> postgres")
                    .isTrue();
            for (String other : Repo.services()) {
                // Services talk through the topics only: no pod-to-pod HTTP between them.
                if (!other.equals(module))
                    assertThat(allowed(module, other, Repo.port(other)))
                            .as(module + " -> " + other)
                            .isFalse();
            }
            assertThat(allowed(module, "kafka", 9093))
                    .as(module + " cannot reach the controller quorum")
                    .isFalse();
        }
        assertThat(allowed("kafka", "kafka", 9093)).as("the KRaft quorum").isTrue();
        assertThat(allowed("kafka-topics", "kafka", 9092)).isTrue();
        assertThat(allowed(null, "postgres", 5432))
                .as("the database is not open to anyone")
                .isFalse();
        assertThat(allowed(null, "kafka", 9092))
                .as("the brokers are not open to anyone")
                .isFalse();
        for (Map<String, Object> w : workloads()) {
            String app = (String)
                    ((Map<String, Object>) at(w, "spec", "template", "metadata").get("labels"))
                            .get("app.kubernetes.io/name");
            assertThat(app).as("every pod is named for the policies").isNotNull();
        }
    }
}
