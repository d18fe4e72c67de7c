package dev.scratchlm.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import dev.scratchlm.contracts.Json;
import dev.scratchlm.contracts.Ranking;
import dev.scratchlm.contracts.Topics;
import dev.scratchlm.devstack.DevStackResource;
import dev.scratchlm.feedback.campaign.RankingStore;
import dev.scratchlm.service.TestHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Campaigns, raters and rankings through HTTP, with the real broker and database. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class FeedbackApiTest {
    @TestHTTPResource("/")
    URL url;

    Stack stack;

    @BeforeEach
    void stack() {
        stack = new Stack(url.toString());
    }

    private static List<Integer> indexes(JsonNode task) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode c : task.get("candidates")) out.add(c.get("index").asInt());
        return out;
    }

    @Test
    void twoRatersRankATaskWithOverlapTwoAndEachRankingReachesTheTopicOnce() {
        String id = stack.campaign(
                List.of("Say hi.", "Say bye."),
                3,
                2,
                null,
                List.of(List.of("hi", "hello", "hey"), List.of("bye", "bye ", "farewell", "ciao")));
        Stack.Rater a = stack.rater("ann"), b = stack.rater("bob"), c = stack.rater("cy");
        JsonNode tasks =
                stack.admin.get("api/campaigns/" + id + "/tasks").json().get("tasks");
        // "bye" and "bye " are one candidate: the second task keeps three distinct ones.
        assertThat(tasks.get(1).get("candidates")).hasSize(3);

        Set<String> ranked = new HashSet<>();
        List<String> rankingIds = new ArrayList<>();
        for (Stack.Rater r : List.of(a, b)) {
            for (int i = 0; i < 2; i++) {
                JsonNode task = r.next(id);
                assertThat(task).as("a task for " + r.name).isNotNull();
                assertThat(task.get("guidelinesHtml").asText())
                        .contains("<strong>faithful</strong>")
                        .doesNotContain("<script>");
                List<Integer> shown = indexes(task);
                assertThat(shown).containsExactlyInAnyOrder(0, 1, 2);
                TestHttp.Reply rep = r.rank(task, List.of(List.of(0), List.of(1, 2)));
                assertThat(rep.status()).as(rep.body()).isEqualTo(201);
                rankingIds.add(rep.json().get("ranking").asText());
                ranked.add(r.name + "/" + task.get("id").asText());
            }
            assertThat(r.next(id)).as("a rater never gets the same task twice").isNull();
        }
        assertThat(ranked).hasSize(4);
        // Both tasks have their overlap: the third rater's queue is empty.
        assertThat(c.next(id)).isNull();

        JsonNode report = stack.admin.get("api/campaigns/" + id).json();
        assertThat(report.at("/progress/complete").asInt()).isEqualTo(2);
        assertThat(report.at("/agreement/pairwise").asDouble()).isEqualTo(1.0);
        assertThat(report.at("/agreement/krippendorffAlpha").asDouble()).isEqualTo(1.0);

        // After the undo window each ranking is on the topic exactly once, with its groups and rater.
        var records = Topic.await(Topics.RANKINGS, rec -> rec.key().startsWith(id + "-"), 4);
        assertThat(records).hasSize(4);
        Set<String> ids = new HashSet<>();
        for (var rec : records) {
            Ranking rk = Json.read(rec.value(), Ranking.class);
            ids.add(rk.id());
            assertThat(rk.source()).isEqualTo(Ranking.HUMAN);
            assertThat(rk.order()).containsExactly(List.of(0), List.of(1, 2));
            assertThat(rk.candidates()).hasSize(3);
            assertThat(rk.checkpointId()).isEqualTo("ckpt-test");
        }
        assertThat(ids).containsExactlyInAnyOrderElementsOf(rankingIds);

        // Export: every ordered pair across groups (0 > 1, 0 > 2) per ranking; the tie gives none.
        String pairs = new String(stack.admin
                .send(stack.admin
                        .request("api/campaigns/" + id + "/export?format=pairs")
                        .GET())
                .body());
        List<String> lines = pairs.lines().toList();
        assertThat(lines).hasSize(8);
        JsonNode first = Json.read(lines.get(0), JsonNode.class);
        assertThat(first.at("/prompt/0/role").asText()).isEqualTo("user");
        assertThat(first.at("/chosen/0/role").asText()).isEqualTo("assistant");
        assertThat(first.at("/chosen/0/content").asText()).isEqualTo("hi");
    }

    @Test
    void aRepeatedSubmitIsOneRankingAndAnUndoneOneNeverReachesTheTopic() throws Exception {
        String id = stack.campaign(List.of("Pick one."), 2, 1, null, List.of(List.of("left", "right")));
        Stack.Rater r = stack.rater("dee");
        JsonNode task = r.next(id);
        Map<String, Object> body = Map.of(
                "submissionId",
                "form-" + id,
                "order",
                List.of(List.of(1), List.of(0)),
                "unusable",
                false,
                "flags",
                List.of(Map.of("candidate", 0, "reason", "unsafe")),
                "comment",
                "left is rude");
        TestHttp.Reply once = r.post("api/rater/tasks/" + task.get("id").asText() + "/ranking", body);
        TestHttp.Reply twice = r.post("api/rater/tasks/" + task.get("id").asText() + "/ranking", body);
        assertThat(once.status()).isEqualTo(201);
        assertThat(twice.status()).isEqualTo(200);
        assertThat(twice.json().get("duplicate").asBoolean()).isTrue();
        assertThat(twice.json().get("ranking").asText())
                .isEqualTo(once.json().get("ranking").asText());

        // Undo within the window: the task comes back, and nothing is published.
        TestHttp.Reply undo =
                r.post("api/rater/rankings/" + once.json().get("ranking").asText() + "/undo", "{}");
        assertThat(undo.status()).as(undo.body()).isEqualTo(200);
        JsonNode again = r.next(id);
        assertThat(again.get("id").asText()).isEqualTo(task.get("id").asText());
        TestHttp.Reply second = r.rank(again, List.of(List.of(0), List.of(1)));
        assertThat(second.status()).isEqualTo(201);
        var records = Topic.await(Topics.RANKINGS, rec -> rec.key().startsWith(id + "-"), 1);
        Thread.sleep(3000); // past the test's undo window of 2 s: a wrongly published undone ranking would be there now
        records = Topic.all(Topics.RANKINGS).stream()
                .filter(rec -> rec.key().startsWith(id + "-"))
                .toList();
        assertThat(records).hasSize(1);
        assertThat(Json.read(records.get(0).value(), Ranking.class).order()).containsExactly(List.of(0), List.of(1));
        // Too late now.
        TestHttp.Reply late =
                r.post("api/rater/rankings/" + second.json().get("ranking").asText() + "/undo", "{}");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.error()).contains("too late");
        // The flag of the first submission went with its undo; the report lists none.
        assertThat(stack.admin.get("api/campaigns/" + id).json().get("flagged")).isEmpty();
    }

    @Test
    void badRankingsAndSessionsAreClearRefusals() {
        String id = stack.campaign(
                List.of("Q1", "Q2"), 3, 1, null, List.of(List.of("a", "b", "c"), List.of("d", "e", "f")));
        Stack.Rater r = stack.rater("eve");
        JsonNode task = r.next(id);
        String path = "api/rater/tasks/" + task.get("id").asText() + "/ranking";
        record Case(List<List<Integer>> order, String says) {}
        for (Case bad : List.of(
                new Case(List.of(List.of(0), List.of(1)), "missing"),
                new Case(List.of(List.of(0), List.of(1), List.of(1, 2)), "more than once"),
                new Case(List.of(List.of(0), List.of(1), List.of(7)), "no candidate [7]"))) {
            TestHttp.Reply rep = r.rank(task, bad.order());
            assertThat(rep.status()).as(rep.body()).isEqualTo(400);
            assertThat(rep.json().get("field").asText()).isEqualTo("order");
            assertThat(rep.error()).contains(bad.says());
        }
        TestHttp.Reply flag = r.post(
                path,
                Map.of(
                        "submissionId",
                        "x1",
                        "order",
                        List.of(List.of(0, 1, 2)),
                        "flags",
                        List.of(Map.of("candidate", 0, "reason", "boring"))));
        assertThat(flag.status()).isEqualTo(400);
        assertThat(r.post("api/rater/tasks/no-such-task/ranking", Map.of("submissionId", "x2", "order", List.of()))
                        .status())
                .isEqualTo(404);
        // The other task was not served to this rater.
        String other =
                stack.admin.get("api/campaigns/" + id + "/tasks").json().get("tasks").findValuesAsText("id").stream()
                        .filter(t -> !t.equals(task.get("id").asText()))
                        .findFirst()
                        .orElseThrow();
        assertThat(r.rank(Json.read("{\"id\": \"" + other + "\"}", JsonNode.class), List.of(List.of(0, 1, 2)))
                        .status())
                .isEqualTo(409);
        // No session, a forged one, a signed-out one.
        assertThat(stack.anonymous.get("api/rater/next").status()).isEqualTo(401);
        assertThat(stack.anonymous
                        .send(stack.anonymous
                                .request("api/rater/next")
                                .header("Cookie", "scratchlm_rater=forged")
                                .GET())
                        .status())
                .isEqualTo(401);
        assertThat(stack.anonymous
                        .post("api/session", Map.of("name", r.name, "password", "wrong password!"))
                        .status())
                .isEqualTo(401);
        TestHttp.Reply out = stack.anonymous.send(stack.anonymous
                .request("api/session")
                .header("Cookie", r.cookie)
                .header("Content-Type", "application/json")
                .DELETE());
        assertThat(out.status()).isEqualTo(200);
        assertThat(r.get("api/rater/next").status()).isEqualTo(401);
        // Nothing half-written: no ranking of this campaign exists.
        assertThat(stack.admin
                        .get("api/campaigns/" + id)
                        .json()
                        .at("/progress/humanRankings")
                        .asInt())
                .isZero();
    }

    @Test
    void adminsNeedTheTokenAndCampaignsAreValidated() {
        assertThat(stack.anonymous.get("api/campaigns").status()).isEqualTo(401);
        assertThat(stack.anonymous
                        .post("api/raters", Map.of("name", "mallory", "password", "0123456789"))
                        .status())
                .isEqualTo(401);
        TestHttp.Reply k = stack.admin.post(
                "api/campaigns",
                Map.of(
                        "name",
                        "x",
                        "model",
                        "sft",
                        "k",
                        12,
                        "prompts",
                        List.of(List.of(Map.of("role", "user", "content", "hi")))));
        assertThat(k.status()).isEqualTo(400);
        assertThat(k.json().get("field").asText()).isEqualTo("k");
        TestHttp.Reply last = stack.admin.post(
                "api/campaigns",
                Map.of(
                        "name",
                        "x",
                        "model",
                        "sft",
                        "prompts",
                        List.of(List.of(Map.of("role", "assistant", "content", "hi")))));
        assertThat(last.status()).isEqualTo(400);
        assertThat(last.error()).contains("ends with the user's turn");
        TestHttp.Reply none = stack.admin.post("api/campaigns", Map.of("name", "x", "model", "sft"));
        assertThat(none.status()).isEqualTo(400);
        TestHttp.Reply jsonl = stack.admin.post(
                "api/campaigns",
                Map.of(
                        "name",
                        "x",
                        "model",
                        "sft",
                        "promptsJsonl",
                        "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}]}\nnot json\n"));
        assertThat(jsonl.status()).isEqualTo(400);
        assertThat(jsonl.error()).contains("line 2");
        assertThat(stack.admin
                        .post("api/raters", Map.of("name", "short", "password", "123"))
                        .status())
                .isEqualTo(400);
        // A page of another site cannot change state, nor send a form.
        TestHttp.Reply cross = stack.anonymous.send(stack.anonymous
                .request("api/session")
                .header("Content-Type", "application/json")
                .header("Origin", "https://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"a\", \"password\": \"b\"}")));
        assertThat(cross.status()).isEqualTo(403);
        assertThat(stack.anonymous
                        .post("api/session", "application/x-www-form-urlencoded", "name=a&password=b".getBytes())
                        .status())
                .isEqualTo(415);
    }

    @Test
    void theRuleJudgeRanksRestaurantTasksAsTheyArriveAndSkipsOthers() {
        String mr = "name[The Vaults], eatType[pub], near[Café Adriatic]";
        String id = stack.campaign(
                List.of("Describe this restaurant: " + mr, "Tell a joke."),
                3,
                1,
                "rule",
                List.of(
                        List.of("The Vaults is a pub.", "The Vaults is a pub near Café Adriatic.", "Hello."),
                        List.of("a", "b", "c")));
        var records = Topic.await(Topics.RANKINGS, rec -> rec.key().startsWith(id + "-"), 1);
        Ranking rk = Json.read(records.get(0).value(), Ranking.class);
        assertThat(rk.source()).isEqualTo(Ranking.RULE);
        assertThat(rk.rater()).isEqualTo("rule:slot-error");
        assertThat(rk.order()).containsExactly(List.of(1), List.of(0), List.of(2));
        // Judging again adds nothing; the joke is not its to judge.
        JsonNode judged = stack.admin
                .post("api/campaigns/" + id + "/judge", Map.of("judge", "rule"))
                .json();
        assertThat(judged.get("ranked").asInt()).isZero();
        assertThat(judged.get("notItsToJudge").asInt()).isEqualTo(1);
        // The ai judge needs the chat-service's reward model: with the chat-service away, a 503 that says so.
        var ai = stack.admin.post("api/campaigns/" + id + "/judge", Map.of("judge", "ai"));
        assertThat(ai.status()).isEqualTo(503);
        assertThat(ai.json().get("error").asText()).contains("chat-service").contains("does not answer");
        assertThat(stack.admin
                        .post("api/campaigns/" + id + "/judge", Map.of("judge", "oracle"))
                        .status())
                .isEqualTo(400);
        // A person and the judge on the same task: the report shows the judge's agreement with the person.
        Stack.Rater r = stack.rater("fay");
        JsonNode task = r.next(id);
        if (task.get("id").asText().equals(id + "-1")) {
            r.rank(task, List.of(List.of(0), List.of(1), List.of(2)));
            task = r.next(id);
        }
        assertThat(r.rank(task, List.of(List.of(1), List.of(2), List.of(0))).status())
                .isEqualTo(201);
        JsonNode judge = null;
        for (JsonNode x : stack.admin.get("api/campaigns/" + id).json().get("raters"))
            if (x.get("rater").asText().equals("rule:slot-error")) judge = x;
        // Person 1 > 2 > 0, judge 1 > 0 > 2: pairs (1,0) and (1,2) agree, (0,2) does not.
        assertThat(judge.get("consensusAgreement").asDouble()).isEqualTo(0.6667);
    }

    @Test
    void thumbsFromTheChatSeedACampaignAndExportUnpaired() throws Exception {
        String answer = "ans-" + java.util.UUID.randomUUID();
        String question = "Why is the sky green? " + answer;
        dev.scratchlm.contracts.ChatFeedback down = new dev.scratchlm.contracts.ChatFeedback(
                dev.scratchlm.contracts.ChatFeedback.SCHEMA,
                answer,
                "sft",
                Stack.user(question),
                "Because of chlorophyll.",
                false,
                "wrong",
                java.time.Instant.now());
        Topic.send(Topics.CHAT_FEEDBACK, answer, Json.bytes(down));
        Topic.send(Topics.CHAT_FEEDBACK, "junk", "not json".getBytes());
        // The consumer stores the thumbs-down a moment later: until then a campaign from thumbs has no such prompt.
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        TestHttp.Reply c =
                stack.admin.post("api/campaigns", Map.of("name", "from thumbs", "model", "sft", "fromThumbsDown", 50));
        String id = c.status() == 201 ? c.json().at("/campaign/id").asText() : null;
        List<String> prompts = new ArrayList<>();
        deadline = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
        while (prompts.stream().noneMatch(question::equals) && System.nanoTime() < deadline) {
            if (id != null)
                prompts = stack.admin.get("api/campaigns/" + id + "/tasks").json().findValues("prompt").stream()
                        .map(p -> p.get(p.size() - 1).get("content").asText())
                        .toList();
            if (prompts.stream().noneMatch(question::equals)) {
                Thread.sleep(200);
                c = stack.admin.post(
                        "api/campaigns", Map.of("name", "from thumbs", "model", "sft", "fromThumbsDown", 50));
                id = c.status() == 201 ? c.json().at("/campaign/id").asText() : null;
            }
        }
        assertThat(prompts).contains(question);
        String lines = stack.admin
                .send(stack.admin
                        .request("api/campaigns/" + id + "/export?format=unpaired")
                        .GET())
                .body();
        JsonNode line = lines.lines()
                .map(l -> Json.read(l, JsonNode.class))
                .filter(n -> n.get("answer_id").asText().equals(answer))
                .findFirst()
                .orElseThrow();
        assertThat(line.get("label").asBoolean()).isFalse();
        assertThat(line.at("/completion/0/content").asText()).isEqualTo("Because of chlorophyll.");
        assertThat(line.at("/completion/0/role").asText()).isEqualTo("assistant");
        // The unreadable record went to the dead-letter topic, and the consumer went on.
        assertThat(Topic.all(Topics.deadLetter(Topics.CHAT_FEEDBACK))).anyMatch(r -> "junk".equals(r.key()));
    }

    /** A campaign of held-out instruction examples: one prompt per group, the conversation up to its user turn. */
    @Test
    void campaignFromHeldOutInstructionExamples() throws Exception {
        String set = "e2e-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        ChatMessage sys = ChatMessage.system("You are an AI assistant.");
        Object[][] rows = {
            {"a1", set, "heldout", "name[Zizzi]", "Describe: name[Zizzi]", "Zizzi is a pub."},
            {"a2", set, "heldout", "name[Zizzi]", "Describe: name[Zizzi]", "There is a pub, Zizzi."},
            {"b1", set, "heldout", "name[Aromi]", "Describe: name[Aromi]", "Aromi is a cafe."},
            {"c1", set, "train", "name[Vaults]", "Describe: name[Vaults]", "The Vaults is a pub."},
            {"d1", set + "-other", "heldout", "name[Other]", "Describe: name[Other]", "Other."}
        };
        for (Object[] r : rows) {
            InstructionExample e = new InstructionExample(
                    InstructionExample.SCHEMA,
                    set + r[0],
                    (String) r[1],
                    "e2e",
                    (String) r[2],
                    (String) r[3],
                    List.of(sys, ChatMessage.user((String) r[4]), ChatMessage.assistant((String) r[5])));
            Topic.send(Topics.INSTRUCTIONS, e.id(), Json.bytes(e));
        }
        TestHttp.Reply c = stack.admin.post(
                "api/campaigns",
                Map.of("name", "held out", "model", "sft", "fromInstructions", Map.of("dataset", set, "limit", 10)));
        assertThat(c.status()).as(c.body()).isEqualTo(201);
        assertThat(c.json().get("tasks").asInt()).isEqualTo(2);
        JsonNode tasks = stack.admin
                .get("api/campaigns/" + c.json().at("/campaign/id").asText() + "/tasks")
                .json();
        List<String> asked = tasks.findValues("prompt").stream()
                .map(p -> p.get(p.size() - 1).get("content").asText())
                .sorted()
                .toList();
        assertThat(asked).containsExactly("Describe: name[Aromi]", "Describe: name[Zizzi]");
        assertThat(tasks.findValues("prompt").get(0).get(0).get("role").asText())
                .isEqualToIgnoringCase("system");
        TestHttp.Reply none = stack.admin.post(
                "api/campaigns", Map.of("name", "x", "model", "sft", "fromInstructions", Map.of("dataset", "nope")));
        assertThat(none.status()).isEqualTo(422);
        assertThat(none.json().get("error").asText()).contains("no held-out examples");
    }

    @Test
    void progressCountsTheRatersOwnWorkAndSaysWhenMoreAreLeftThanItCounts() {
        int n = RankingStore.REMAINING_CAP + 10;
        List<String> prompts = new ArrayList<>();
        List<List<String>> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add("Count " + i);
            candidates.add(List.of("yes", "no"));
        }
        String id = stack.campaign(prompts, 2, 1, null, candidates);
        Stack.Rater r = stack.rater("counter");
        for (int done = 0; done < 5; done++) {
            JsonNode p = r.get("api/rater/next?campaign=" + id).json();
            assertThat(p.at("/progress/done").asInt()).isEqualTo(done);
            // the served task is still to do: n - done of them, told as "at least the cap" past it
            assertThat(p.at("/progress/remaining").asInt()).isEqualTo(RankingStore.REMAINING_CAP);
            assertThat(p.at("/progress/remainingIsLowerBound").asBoolean()).isTrue();
            assertThat(r.rank(p.get("task"), List.of(List.of(0), List.of(1))).status())
                    .isEqualTo(201);
        }
        // Another rater took most of the rest: what is left is now counted exactly.
        Stack.Rater other = stack.rater("taker");
        for (int i = 0; i < n - 5 - 2; i++) {
            assertThat(other.rank(other.next(id), List.of(List.of(1), List.of(0)))
                            .status())
                    .isEqualTo(201);
        }
        JsonNode p = r.get("api/rater/next?campaign=" + id).json();
        assertThat(p.at("/progress/done").asInt()).isEqualTo(5);
        assertThat(p.at("/progress/remaining").asInt()).isEqualTo(2);
        assertThat(p.at("/progress/remainingIsLowerBound").asBoolean()).isFalse();
    }

    @Test
    void raceOfEightRatersNeverRanksATaskPastItsOverlap() throws Exception {
        int n = 40;
        List<String> prompts = new ArrayList<>();
        List<List<String>> candidates = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            prompts.add("Race " + i);
            candidates.add(List.of("yes", "no"));
        }
        String id = stack.campaign(prompts, 2, 1, null, candidates);
        List<Stack.Rater> raters = new ArrayList<>();
        for (int i = 0; i < 8; i++) raters.add(stack.rater("race" + i));
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        List<java.util.concurrent.Future<Integer>> done = new ArrayList<>();
        for (Stack.Rater r : raters) {
            done.add(pool.submit(() -> {
                int mine = 0;
                for (JsonNode t = r.next(id); t != null; t = r.next(id)) {
                    int status = r.rank(t, List.of(List.of(0), List.of(1))).status();
                    if (status == 201) mine++;
                    else if (status != 409) throw new AssertionError("submit answered " + status);
                }
                return mine;
            }));
        }
        int total = 0;
        for (var f : done) total += f.get();
        pool.shutdown();
        assertThat(total).isEqualTo(n);
        assertThat(stack.admin
                        .get("api/campaigns/" + id)
                        .json()
                        .at("/progress/humanRankings")
                        .asInt())
                .isEqualTo(n);
    }

    @Test
    void aRaterWhoContradictsAGoldTaskIsFlagged() {
        String id = stack.campaign(List.of("Gold question"), 3, 1, null, List.of(List.of("best", "middle", "worst")));
        String task = id + "-0";
        TestHttp.Reply bad = stack.admin.send(stack.admin
                .request("api/tasks/" + task + "/gold")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"order\": [[0], [1]]}")));
        assertThat(bad.status()).isEqualTo(400);
        TestHttp.Reply gold = stack.admin.send(stack.admin
                .request("api/tasks/" + task + "/gold")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"order\": [[0], [1], [2]]}")));
        assertThat(gold.status()).as(gold.body()).isEqualTo(200);
        // Gold tasks go to every rater, past the overlap of 1.
        Stack.Rater good = stack.rater("gold-good"), contrary = stack.rater("gold-contrary");
        assertThat(good.rank(good.next(id), List.of(List.of(0), List.of(1), List.of(2)))
                        .status())
                .isEqualTo(201);
        assertThat(contrary.rank(contrary.next(id), List.of(List.of(2), List.of(1), List.of(0)))
                        .status())
                .isEqualTo(201);
        Map<String, JsonNode> stats = new java.util.HashMap<>();
        for (JsonNode x : stack.admin.get("api/campaigns/" + id).json().get("raters"))
            stats.put(x.get("rater").asText(), x);
        assertThat(stats.get(good.name).get("goldAgreement").asDouble()).isEqualTo(1.0);
        assertThat(stats.get(good.name).get("goldFlagged").asBoolean()).isFalse();
        assertThat(stats.get(contrary.name).get("goldAgreement").asDouble()).isEqualTo(0.0);
        assertThat(stats.get(contrary.name).get("goldFlagged").asBoolean()).isTrue();
        assertThat(stats.get(contrary.name).get("consensusAgreement").asDouble())
                .isEqualTo(0.0);
    }

    @Test
    void repeatedWrongPasswordsLockTheNameForAWhile() {
        Stack.Rater r = stack.rater("guessed");
        for (int i = 0; i < 10; i++) {
            assertThat(stack.anonymous
                            .post("api/session", Map.of("name", r.name, "password", "guess number " + i))
                            .status())
                    .isEqualTo(401);
        }
        TestHttp.Reply locked =
                stack.anonymous.post("api/session", Map.of("name", r.name, "password", "correct horse " + r.name));
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.error()).contains("too many failed sign-ins");
        // The session that was open before stays valid.
        assertThat(r.get("api/session").status()).isEqualTo(200);
    }
}
